import type { SeededRandom } from '@reelrank/random';

/** The generated catalogue: made-up titles in MovieLens' styles and genres at ml-20m's rough frequencies. */

/**
 * MovieLens 20M's genre list (movies.csv uses "(no genres listed)" when none). Alike ML100K_GENRES (parse-movies.ts) on purpose,
 * not shared: each is a data set's own list (ml-100k's has "unknown" and "Children's", no IMAX).
 */
export const MOVIELENS_GENRES = [
  'Action',
  'Adventure',
  'Animation',
  'Children',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'IMAX',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

const ADJECTIVES = [
  'Last',
  'Silent',
  'Dark',
  'Golden',
  'Lost',
  'Broken',
  'Hidden',
  'Wild',
  'Little',
  'Big',
  'Red',
  'Blue',
  'Midnight',
  'Crimson',
  'Endless',
  'Secret',
  'Frozen',
  'Burning',
  'Sweet',
  'Bitter',
  'Electric',
  'Lonely',
  'Brave',
  'Strange',
  'Perfect',
  'Final',
  'Savage',
  'Quiet',
  'Eternal',
  'Wicked',
  'Café',
  'Señor',
];
const NOUNS = [
  'River',
  'Summer',
  'Night',
  'City',
  'Heart',
  'Road',
  'Kingdom',
  'Shadow',
  'Dream',
  'Island',
  'Storm',
  'Garden',
  'Empire',
  'Witness',
  'Stranger',
  'Letter',
  'Mirror',
  'Hunter',
  'Dancer',
  'Ghost',
  'Promise',
  'Journey',
  'Detective',
  'Queen',
  'Soldier',
  'Machine',
  'Planet',
  'Winter',
  'Noël',
  'Affair',
  'Voyage',
  'Circus',
  'Harbor',
  'Canyon',
];
const ARTICLES = ['The', 'A', 'An', 'Les', 'La', 'Das'];
const PEOPLE = ['Jack', 'Amélie', 'Harry', 'Sally', 'Frank', 'Rosa', 'Kim', 'Otto', 'Zoë', 'Max'];
// Rough genre frequencies of ml-20m (Drama and Comedy most common, IMAX and Film-Noir rare).
const GENRE_WEIGHTS = [0.13, 0.09, 0.04, 0.04, 0.3, 0.1, 0.08, 0.49, 0.05, 0.01, 0.09, 0.007, 0.04, 0.06, 0.15, 0.06, 0.15, 0.04, 0.03];

export function pick<T>(random: SeededRandom, list: readonly T[]): T {
  return list[random.below(list.length)];
}

export function makeTitle(random: SeededRandom, year: number | null): string {
  const roll = random.uniform();
  let title: string;
  if (roll < 0.1)
    title = `${pick(random, NOUNS)} of the ${pick(random, NOUNS)}, ${pick(random, ARTICLES)}`; // "American President, The"
  else if (roll < 0.13)
    title = `"${pick(random, ADJECTIVES)} ${pick(random, NOUNS)}" ${pick(random, NOUNS)}`; // quotes inside
  else if (roll < 0.18) title = `${pick(random, PEOPLE)} and ${pick(random, PEOPLE)}, Part ${2 + random.below(4)}`;
  else if (roll < 0.3) title = `${pick(random, ADJECTIVES)} ${pick(random, NOUNS)}: The ${pick(random, NOUNS)}`;
  else if (roll < 0.6) title = `${pick(random, ADJECTIVES)} ${pick(random, NOUNS)}`;
  else if (roll < 0.8) title = `The ${pick(random, NOUNS)} ${pick(random, ['Returns', 'Rises', 'Waits', 'Falls', 'Sings'])}`;
  else title = `${pick(random, PEOPLE)}'s ${pick(random, ADJECTIVES)} ${pick(random, NOUNS)}`;
  return year === null ? title : `${title} (${year})`;
}

export function makeGenres(random: SeededRandom): string {
  if (random.uniform() < 0.01) return '(no genres listed)';
  const chosen: string[] = [];
  for (let g = 0; g < MOVIELENS_GENRES.length; g += 1) if (random.uniform() < GENRE_WEIGHTS[g]) chosen.push(MOVIELENS_GENRES[g]);
  if (chosen.length === 0) chosen.push(random.uniform() < 0.6 ? 'Drama' : 'Comedy');
  return chosen.sort().join('|');
}

/** A csv field, quoted when it holds a comma, quote or line break (as MovieLens and papaparse do). */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
