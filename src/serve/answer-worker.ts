/** The worker-thread entry of `pipeline serve` (piscina's `name` option picks the export). */
import { answer, type Answer, type AnswerRoute } from './answer.js';

export function answerRequest({ route, text }: { route: AnswerRoute; text: string }): Promise<Answer> {
  return answer(route, text);
}
