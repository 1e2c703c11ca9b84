export type { Check, DatasetInfo, ExperimentDefinition, LoadedData, Progress, Row, RunEffects, RunResult, Threshold, Tolerance } from './experiment.ts';
export { defineExperiment, resolveConfig } from './experiment.ts';
export type { BaselineRow, ThresholdVerdict, Verdict } from './gates.ts';
export { checkThresholds, compareToBaseline, formatBaselineTable, formatThresholdTable, metricValue } from './gates.ts';
export type { Mode, Outcome, RunOptions } from './runner.ts';
export { projectRoot, runExperiment } from './runner.ts';
export type { Snapshot } from './snapshot.ts';
export { formatSnapshot, parseSnapshot, readSnapshot, snapshotPath, snapshotSchema, writeFileAtomic, writeSnapshot } from './snapshot.ts';
export { hashJson, sha256 } from './sources.ts';
