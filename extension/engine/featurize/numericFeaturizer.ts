/** Tabular models (e.g. the TF-IDF random forest): Example.numeric → float32 [n, d]. */
import { PolicyTraceError } from '../errors';
import type { Example } from '../data/example';
import type { Feeds } from '../runner/feeds';
import type { Featurizer, FeaturizerConfig, FeaturizerContext } from './featurizer';
import { chooseInputName, findInput } from './modelInputs';
import { wordTokens } from './wordTokens';

type NumericConfig = Extract<FeaturizerConfig, { kind: 'numeric' }>;

export function createNumericFeaturizer(config: NumericConfig, context: FeaturizerContext): Featurizer {
  const inputName = chooseInputName(config.inputName, context.inputs, 'input', 'inputName');
  const declared = findInput(inputName, context.inputs)?.shape?.[1];
  const width = typeof declared === 'number' && declared > 0 ? declared : undefined;
  const columnName = (j: number) => (config.columns?.[j] !== undefined ? `column "${config.columns[j]}"` : `numeric column ${j + 1}`);
  return {
    describe: () => `numeric columns → ${inputName} float32 [n, ${width ?? config.columns?.length ?? 'd'}]`,
    tokens: wordTokens,
    encode: (batch: Example[]): Feeds => {
      const d = width ?? batch[0]?.numeric?.length ?? config.columns?.length ?? 0;
      const data = new Float32Array(batch.length * d);
      batch.forEach((example, row) => {
        const values = example.numeric;
        const where = { file: example.file, line: example.line, field: 'fields.numeric' };
        if (!values) throw new PolicyTraceError('the example has no numeric columns: map them with fields.numeric', where, 'featurize.numeric');
        if (values.length !== d) {
          throw new PolicyTraceError(`the example has ${values.length} numeric columns, the model input ${inputName} takes ${d}`, where, 'featurize.numeric');
        }
        values.forEach((value, j) => {
          if (!Number.isFinite(value)) throw new PolicyTraceError(`${columnName(j)} is missing or not a number`, where, 'featurize.numeric');
          data[row * d + j] = value;
        });
      });
      return { [inputName]: { type: 'float32', dims: [batch.length, d], data } };
    },
  };
}
