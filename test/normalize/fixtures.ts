import type { Label } from '../../src/task/schema.js';

const lettered = (names: string[]): Label[] => names.map((name, i) => ({ name, aliases: [String.fromCharCode(65 + i)] }));

/** Hand-written tasks shaped like the recorded sets in ../shared/data. */
const tasks = {
  emotion: { labels: lettered(['fear', 'anger', 'joy', 'sadness', 'love', 'surprise']) },
  sentiment: { labels: ['negative', 'neutral', 'positive'].map((name) => ({ name, aliases: [] })) },
  flute: { labels: lettered(['idiom', 'metaphor', 'sarcasm', 'simile']) },
  ibc: { labels: lettered(['liberal', 'conservative', 'neutral']) },
  politeness: { labels: lettered(['polite', 'neutral', 'impolite']) },
  toxicity: { labels: [{ name: 'toxic', aliases: ['1'] }, { name: 'non-toxic', aliases: ['0'] }] },
  policy: {
    labels: [
      ['macroeconomics', '1'], ['civil rights', '2'], ['health', '3'], ['agriculture', '4'], ['labor', '5'], ['education', '6'],
      ['environment', '7'], ['energy', '8'], ['immigration', '9'], ['transportation', '10'], ['law and crime', '12'],
      ['social welfare', '13'], ['housing', '14'], ['domestic commerce', '15'], ['defense', '16'], ['technology', '17'],
      ['foreign trade', '18'], ['international affairs', '19'], ['government operations', '20'], ['public lands', '21'], ['culture', '23'],
    ].map(([name, code]) => ({ name: name as string, aliases: [code as string] })),
  },
  persuasion: {
    labels: lettered([
      'evidence (providing concrete facts or evidence for the narrative or request)',
      'politeness (the usage of polite language in requests)',
      'reciprocity (responding to a positive action with another positive action)',
      'impact (emphasizing the importance or impact of the request)',
      'emotion (making requests full of emotional valence and arousal affect)',
      'scarcity (people emphasizing on the urgency, rare of their needs)',
      'other',
    ]),
  },
  rating: { labels: ['1', '2', '3', '4', '5'].map((name) => ({ name, aliases: [] })) },
  yesno: { labels: [{ name: 'yes', aliases: [] }, { name: 'no', aliases: [] }] },
  hate: {
    labels: lettered([
      'white grievance (frustration over a minority group’s perceived privilege)',
      'incitement to violence (flaunting in-group unity and power',
      'inferiority language (implies one group or individual is inferior to another)',
      'irony (the use of sarcasm, humor, and satire to attack)',
      'stereotypes and misinformation (associating a protected class with negative attributes)',
      'threatening and intimidation (conveys a speaker commitment to a target’s pain)',
    ]),
  },
};

export type TaskName = keyof typeof tasks;
export const TASKS: { [K in TaskName]: { labels: Label[] } } = tasks;
