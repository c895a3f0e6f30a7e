import { judgedDriftFeatures, type AppConfig } from '@reelrank/config';
import { modelVersionDir, readDriftProfile, type DriftProfile, type DriftSettings } from '@reelrank/model';

/**
 * The drift monitor's settings (config operations.drift) and where a model version's training profile is:
 * its registry folder, else models/<dataset>/ (readDriftProfile takes it only when it names that version).
 */
export function driftOptions(config: Pick<AppConfig, 'operations' | 'paths'>): {
  settings: DriftSettings & { refreshSeconds: number };
  profileOf: (version: string) => DriftProfile | null;
} {
  const { threshold, minRatings, maxRatings, refreshSeconds, features } = config.operations.drift;
  return {
    settings: { threshold, minRatings, maxRatings, refreshSeconds, judged: judgedDriftFeatures(features) },
    profileOf: (version) =>
      readDriftProfile(modelVersionDir(config.paths.registryDir, version) ?? config.paths.modelDir, version) ??
      readDriftProfile(config.paths.modelDir, version),
  };
}
