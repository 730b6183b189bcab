/**
 * The feature keys convert writes unless --image-key / --label-key rename them: the encoded image,
 * the class id and the class name (src/convert/convert.ts featureKeys).
 */
export const DEFAULT_FEATURE_KEYS = { image: 'image', class: 'class', label: 'label' } as const;
