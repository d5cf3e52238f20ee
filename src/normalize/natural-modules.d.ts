// natural's package index eagerly loads WordNet, classifiers and a dotenv call (~0.9 s and console
// noise), so the normalizer imports the two files it needs directly; these are their shapes.
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: { stem(token: string): string };
  export default PorterStemmer;
}

declare module 'natural/lib/natural/distance/jaro-winkler_distance.js' {
  const JaroWinklerDistance: (s1: string, s2: string, options?: { ignoreCase?: boolean }) => number;
  export default JaroWinklerDistance;
}

declare module 'natural/lib/natural/util/stopwords.js' {
  export const words: readonly string[];
}
