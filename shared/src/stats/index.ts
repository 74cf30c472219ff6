// Browser-safe statistics: no Node modules, no runtime dependencies.
export * from './types';
export * from './normal';
export { wilcoxonSignedRank, mannWhitneyU, rankAverage, type TestResult } from './tests';
export * from './krippendorff';
export * from './bootstrap';
export * from './power';
export * from './summary';
export * from './compare';
