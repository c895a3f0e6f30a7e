import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildDriftProfile,
  buildGenreIndex,
  DRIFT_PROFILE_FILE,
  idRanges,
  profileRatings,
  readDriftProfile,
  writeDriftProfile,
} from './drift-profile';
import { driftOf } from './drift-report';

const movies = [
  { movieId: 1, genres: ['Comedy', 'Drama'] },
  { movieId: 2, genres: ['Drama', 'Drama'] },
  { movieId: 3, genres: [] },
];
const binning = { genreIndex: buildGenreIndex(movies), dataSetUsers: idRanges([1, 2, 3, 7]) };

describe('drift profile', () => {
  it('when user ids are given, then they become inclusive ranges that tell data-set users from new ones', () => {
    expect(idRanges([1, 1, 2, 3, 7, 9, 10])).toEqual(idRanges([7, 1, 2, 3, 3, 9, 10]));
    expect(idRanges([7, 1, 2, 3, 3, 9, 10])).toEqual([
      [1, 3],
      [7, 7],
      [9, 10],
    ]);
  });

  it('when a sample is profiled, then each feature counts what a hand count gives', () => {
    // user 1: 3 ratings, user 2: 1, user 9 (new): 2; movie 4 is unknown to the catalogue.
    const sample = {
      userIds: [1, 1, 1, 2, 9, 9],
      movieIds: [1, 2, 3, 1, 2, 4],
      ratings: [4, 4.5, 0.5, 5, 3, 3],
    };
    const profile = profileRatings(sample, binning);
    expect(profile.ratings).toBe(6);
    expect(profile.users).toBe(3);
    expect(profile.features.rating.counts).toEqual([1, 0, 0, 0, 0, 2, 0, 1, 1, 1]);
    expect(profile.features.rating.bins).toEqual(['0.5', '1.0', '1.5', '2.0', '2.5', '3.0', '3.5', '4.0', '4.5', '5.0']);
    // users with 1 rating: user 2; 2-3 ratings: users 1 and 9.
    expect(profile.features.userActivity.counts.slice(0, 3)).toEqual([1, 2, 0]);
    expect(profile.features.userActivity.bins.slice(0, 3)).toEqual(['1', '2-3', '4-7']);
    // movie 1 (Comedy|Drama) twice: 1/2 each; movie 2 (Drama) twice; movie 3 (none) once; movie 4 unknown once.
    expect(profile.features.genre.bins).toEqual(['(no genres listed)', 'Comedy', 'Drama', '(unknown movie)']);
    expect(profile.features.genre.counts).toEqual([1, 1, 3, 1]);
    expect(profile.features.newUsers).toEqual({ bins: ['data set', 'new'], counts: [4, 2] });
  });

  it('when movie ids are negative or too large for a table, then the profile is the one of small ids', () => {
    const sample = { userIds: [1, 1, 2, 9, 9], movieIds: [2, 1, 1, 3, 4], ratings: [4, 3, 5, 2, 1] };
    const shift = (id: number) => (id === 4 ? -4 : id * 100_000_000);
    const shiftedMovies = movies.map((m) => ({ ...m, movieId: shift(m.movieId) }));
    const shifted = profileRatings({ ...sample, movieIds: sample.movieIds.map(shift) }, { ...binning, genreIndex: buildGenreIndex(shiftedMovies) });
    expect(shifted).toEqual(profileRatings(sample, binning));
  });

  it('when written and read back, then only the profile of the asked version is used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drift-profile-'));
    const profile = buildDriftProfile({ userIds: [1], movieIds: [1], ratings: [4] }, binning, 'mf-000000000001');
    writeDriftProfile(dir, profile);
    expect(readDriftProfile(dir, 'mf-000000000001')).toEqual(profile);
    expect(readDriftProfile(dir, 'mf-000000000002')).toBeNull();
    writeFileSync(join(dir, DRIFT_PROFILE_FILE), '{not json');
    expect(readDriftProfile(dir, 'mf-000000000001')).toBeNull();
    expect(readDriftProfile(join(dir, 'absent'), 'mf-000000000001')).toBeNull();
  });

  it('when the posted ratings are all 0.5 stars, then the rating PSI passes 0.25 in both windows; a stream like the training data stays near 0 on it', () => {
    const n = 2000;
    const userIds = Array.from({ length: n }, (_, i) => 1 + (i % 3));
    const movieIds = Array.from({ length: n }, (_, i) => 1 + (i % 3));
    const ratings = Array.from({ length: n }, (_, i) => 1 + (i % 9) / 2);
    const profile = buildDriftProfile({ userIds, movieIds, ratings }, binning, 'mf-000000000001');
    const now = Date.parse('2026-12-04T12:00:00Z');
    const posted = (rating: (i: number) => number) =>
      Array.from({ length: 300 }, (_, i) => ({ userId: 1 + (i % 3), movieId: 1 + (i % 3), rating: rating(i), postedAt: now / 1000 - 60 * i }));
    const settings = { threshold: 0.25, minRatings: 100, maxRatings: 10_000, judged: ['rating', 'genre'] as const };
    const shifted = driftOf(
      profile,
      posted(() => 0.5),
      settings,
      now,
    );
    expect(shifted.windows.map((w) => [w.window, w.ratings])).toEqual([
      ['day', 300],
      ['week', 300],
    ]);
    expect(shifted.windows[0].psi!.rating).toBeGreaterThan(0.25);
    expect(shifted.worst).toMatchObject({ feature: 'rating', window: 'day' });
    expect(shifted.drifted).toBe(true);
    const alike = driftOf(
      profile,
      posted((i) => 1 + (i % 9) / 2),
      settings,
      now,
    );
    expect(alike.windows[0].psi!.rating).toBeLessThan(0.05);
    expect(alike.windows[0].psi!.genre).toBeLessThan(0.05);
    expect(alike.drifted).toBe(false);
    // A week's ratings per user (100) are not a training set's (667): measured, but not judged by default.
    expect(alike.windows[0].psi!.userActivity).toBeGreaterThan(0.25);
  });

  it('when a window holds fewer than minRatings, then it gets no figures and the report says why', () => {
    const profile = buildDriftProfile({ userIds: [1], movieIds: [1], ratings: [4] }, binning, 'mf-000000000001');
    const report = driftOf(
      profile,
      [{ userId: 1, movieId: 1, rating: 0.5, postedAt: 1_000 }],
      { threshold: 0.25, minRatings: 2, maxRatings: 10, judged: ['rating'] as const },
      1_000_000,
    );
    expect(report.windows.every((w) => w.psi === null)).toBe(true);
    expect(report).toMatchObject({ drifted: false, worst: null, note: 'fewer than 2 ratings posted in the last week' });
    expect(driftOf(null, [], { threshold: 0.25, minRatings: 2, maxRatings: 10, judged: ['rating'] as const }, 1_000_000, 'mf-1').note).toMatch(
      /has no drift profile/,
    );
  });
});
