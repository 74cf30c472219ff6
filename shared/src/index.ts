// Browser-safe: nothing here may import Node modules. Node-only code lives in ./node.
export * from './errors';
export * from './ids';
export * from './rubric';
export * from './run';
export * from './submission';
export * from './detect';
export * from './runfiles';
export * from './stats';
