/**
 * Jest environment for suites that run onnxruntime-node. Jest gives each suite its own
 * realm, but the native binding builds output tensors with the host's typed arrays, and
 * onnxruntime's `instanceof` checks then fail. Sharing the host's constructors fixes it.
 * Use with a `@jest-environment ./tests/environments/onnxruntime.js` docblock.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OnnxRuntimeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxRuntimeEnvironment;
