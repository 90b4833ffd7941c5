/**
 * The YAML parser, loaded on first use through `require` rather than `import`: esbuild does not
 * follow it, so the Lambda bundles, which ship what they read as JSON, leave the parser (about
 * 120 KB minified) out, while the local runtime, tests and synth read YAML files as before. It
 * loads synchronously, like the readers that call it.
 */
import { createRequire } from 'node:module';
import { ConfigurationError } from './errors.js';

type Yaml = typeof import('yaml');
let loaded: Yaml | undefined;

/**
 * The `yaml` package; a ConfigurationError saying what to ship instead where it is absent (a bundle).
 * @example yamlParser().parse('a: 1') // { a: 1 }
 */
export function yamlParser(): Yaml {
  if (!loaded) {
    try {
      loaded = createRequire(import.meta.url)('yaml') as Yaml;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw err;
      throw new ConfigurationError('reading YAML needs the yaml package, which Lambda bundles leave out; give a .json file with the same content', { cause: err });
    }
  }
  return loaded;
}
