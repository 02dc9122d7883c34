/** Where test inputs live, from the compiled test's folder (out/test/unit/<suite>/). */
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const MODEL_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'model');
/** Real third-party models (see ../shared/external/README.md). */
export const EXTERNAL_MODELS = path.join(REPO_ROOT, '..', 'shared', 'external', 'models');
export const SMS_MODEL = path.join(EXTERNAL_MODELS, 'sms_spam_embedding_mlp', 'network.onnx');
export const RF_MODEL = path.join(EXTERNAL_MODELS, 'sms_spam_rf_tfidf50', 'model.onnx');
export const SENTIMENT_MODELS = ['sentiment1', 'simple_text_classification0', 'sentiment_simple', 'sentiment_sum'].map((name) =>
  path.join(EXTERNAL_MODELS, 'tiny_sentiment_6ex', name, 'network.onnx'),
);
