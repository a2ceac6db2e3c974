export { runProbe, likelyBottleneck } from './run-probe.js';
export type { ProbeOptions, ProbeResult, PathReport } from './run-probe.js';
export { Frontier, walkFor } from './walk.js';
export type { WalkResult, FileSeen } from './walk.js';
export { measureRead, measureWrite, probeDirName } from './throughput.js';
export type { ThroughputResult } from './throughput.js';
