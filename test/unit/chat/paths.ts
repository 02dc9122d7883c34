/** Fixture locations, resolved from out/test/unit/chat/ back to the repository. */
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../../../..');
export const FORMAT_FIXTURES = path.join(REPO, 'test/fixtures/chat-formats');
export const SYCOPHANCY_MODEL = path.join(REPO, 'test/fixtures/chat/sycophancy');
export const EXTERNAL_DATASETS = path.resolve(REPO, '../shared/external/datasets');
