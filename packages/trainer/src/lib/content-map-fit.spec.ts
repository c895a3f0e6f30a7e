import { contentFactors, contentFeatures, featureCount, movieFactorsAt, type MfModel, type MovieContent, type RankingModel } from '@reelrank/model';
import { seededRandom } from '@reelrank/random';
import { buildContentSpec } from './content-spec.js';
import { coldStartEntries, fitContentMap, type ContentMapSettings } from './content-map-fit.js';

const GENRES = ['Action', 'Comedy', 'Drama', 'Horror', 'Sci-Fi'];
const TAGS = ['space', 'funny', 'dark', 'classic'];

const settings: ContentMapSettings = {
  minRatings: 5,
  lambdaGrid: [0.001, 0.1, 10, 1000],
  validationFraction: 0.2,
  tagVocabulary: 10,
  tagMinMovies: 2,
  yearBinWidth: 10,
  blendPrior: 5,
  seed: 7,
};

function randomContent(random: () => number): MovieContent {
  const genres = GENRES.filter(() => random() < 0.35);
  const tags = new Map(TAGS.filter(() => random() < 0.3).map((t) => [t, 1 + Math.floor(random() * 3)] as [string, number]));
  return { genres, year: random() < 0.05 ? null : 1950 + Math.floor(random() * 70), tags };
}

/**
 * Movies whose vectors are a planted linear function of their content (plus `noise`): the rating
 * model's factors (k 3), bias and the ranker's factors (k 2). Returns the models and the planted map.
 */
function plantedWorld(nMovies: number, noise: number, seed = 3) {
  const random = seededRandom(seed);
  const content = new Map<number, MovieContent>();
  const movieIds = Int32Array.from({ length: nMovies }, (_, i) => 10 + 2 * i);
  for (const id of movieIds) content.set(id, randomContent(random));
  const spec = buildContentSpec(content.values(), settings);
  const d = featureCount(spec);
  const t = 3 + 1 + 2;
  const planted = Float64Array.from({ length: d * t }, () => random() * 2 - 1);
  const kR = 3;
  const kI = 2;
  const movieFactors = new Float32Array(nMovies * kR);
  const movieBias = new Float32Array(nMovies);
  const rankingFactors = new Float32Array(nMovies * kI);
  movieIds.forEach((id, i) => {
    const x = contentFeatures(spec, content.get(id)!);
    const y = new Float64Array(t);
    for (let a = 0; a < d; a++) for (let c = 0; c < t; c++) y[c] += x[a] * planted[a * t + c];
    for (let c = 0; c < t; c++) y[c] += noise * (random() * 2 - 1);
    movieFactors.set(y.subarray(0, kR), i * kR);
    movieBias[i] = y[kR];
    rankingFactors.set(y.subarray(kR + 1), i * kI);
  });
  const model: MfModel = {
    factors: kR,
    globalMean: 3.5,
    userIds: Int32Array.from([1, 2]),
    movieIds,
    userBias: new Float32Array(2),
    movieBias,
    userFactors: new Float32Array(2 * kR),
    movieFactors,
  };
  const ranking: RankingModel = {
    factors: kI,
    userFactors: new Float32Array(2 * kI),
    movieFactors: rankingFactors,
    moviePrior: new Float32Array(nMovies),
    weights: { implicit: 1, rating: 0.1, popularity: 0 },
    confidence: { alpha: 1, ratingSlope: 0, ratingPivot: 3, floor: 0.1, regularization: 1 },
  };
  return { model, ranking, content, spec, planted, t };
}

describe('fitContentMap', () => {
  it('when the movie vectors are a linear function of the content, then the ridge map recovers it', () => {
    const { model, ranking, content, spec, planted, t } = plantedWorld(600, 0);
    const ratingCounts = new Int32Array(600).fill(50);
    const { map, report } = fitContentMap({ model, ranking, content, ratingCounts }, settings);
    expect(map.spec).toEqual(spec);
    expect(report.lambda).toEqual({ ratingFactors: 0.001, movieBias: 0.001, rankingFactors: 0.001 });
    // Columns are collinear (one-hot blocks sum to the intercept), so compare predictions, not weights.
    const random = seededRandom(99);
    for (let n = 0; n < 50; n++) {
      const movie = randomContent(random);
      const x = contentFeatures(spec, movie);
      const expected = new Float64Array(t);
      for (let a = 0; a < x.length; a++) for (let c = 0; c < t; c++) expected[c] += x[a] * planted[a * t + c];
      const got = contentFactors(map, movie);
      for (let f = 0; f < 3; f++) expect(got.ratingFactors[f]).toBeCloseTo(expected[f], 2);
      expect(got.movieBias).toBeCloseTo(expected[3], 2);
      for (let f = 0; f < 2; f++) expect(got.rankingFactors[f]).toBeCloseTo(expected[4 + f], 2);
    }
  });

  it('when the vectors are noisy, then the validation error is below the mean-vector one and a stronger lambda is chosen', () => {
    const { model, ranking, content } = plantedWorld(200, 3, 4);
    const { report } = fitContentMap({ model, ranking, content, ratingCounts: new Int32Array(200).fill(50) }, settings);
    const chosen = report.search.find((s) => s.lambda === report.lambda.ratingFactors)!;
    expect(chosen.validationRmse.ratingFactors).toBeLessThan(report.meanOnlyRmse.ratingFactors!);
    expect(report.lambda.ratingFactors).toBeGreaterThan(0.001);
  });

  it('when movies have too few ratings, then they do not train the map', () => {
    const { model, ranking, content } = plantedWorld(100, 0);
    const ratingCounts = Int32Array.from({ length: 100 }, (_, i) => (i < 60 ? 10 : 4));
    const { report } = fitContentMap({ model, ranking, content, ratingCounts }, settings);
    expect(report.trainingMovies).toBe(60);
  });
});

describe('coldStartEntries', () => {
  it('when a catalogue movie has no ratings, then it gets its content factors; with some, a blend; with enough, nothing', () => {
    const { model, ranking, content } = plantedWorld(100, 0.5);
    const ratingCounts = new Int32Array(100).fill(50);
    ratingCounts[3] = 2;
    const unrated = { genres: ['Sci-Fi'], year: 2010, tags: new Map([['space', 2]]) };
    const input = { model, ranking, content: new Map([...content, [5000, unrated]]), ratingCounts };
    const { map } = fitContentMap(input, settings);
    const entries = coldStartEntries(map, input);
    expect(entries.map((e) => [e.movieId, e.ratings])).toEqual([
      [model.movieIds[3], 2],
      [5000, 0],
    ]);
    expect(entries[1].factors).toEqual(contentFactors(map, unrated));
    const own = movieFactorsAt({ model, ranking }, 3);
    const fromContent = contentFactors(map, content.get(model.movieIds[3])!);
    const between = (a: number, b: number, x: number) => x >= Math.min(a, b) - 1e-6 && x <= Math.max(a, b) + 1e-6;
    for (let f = 0; f < 3; f++) expect(between(own.ratingFactors[f], fromContent.ratingFactors[f], entries[0].factors.ratingFactors[f])).toBe(true);
    expect(entries[0].factors.ratingFactors[0]).not.toBeCloseTo(own.ratingFactors[0], 5);
  });

  it('when the movies with few ratings have lower biases than their content says, then the content bias of a new movie is lowered by the mean gap', () => {
    const { model, ranking, content } = plantedWorld(100, 0);
    const ratingCounts = new Int32Array(100).fill(50);
    for (let i = 80; i < 100; i++) {
      ratingCounts[i] = 3;
      model.movieBias[i] -= 0.5;
    }
    const input = { model, ranking, content, ratingCounts };
    const { map, report } = fitContentMap(input, settings);
    expect(report.biasShift).toBeCloseTo(-0.5, 3);
    const { map: unshifted } = fitContentMap({ ...input, ratingCounts: Int32Array.from(ratingCounts, (n) => (n === 3 ? 0 : n)) }, settings);
    const movie = content.get(model.movieIds[0])!;
    expect(contentFactors(map, movie).movieBias - contentFactors(unshifted, movie).movieBias).toBeCloseTo(-0.5, 3);
  });
});
