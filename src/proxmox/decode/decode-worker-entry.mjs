// Entry of the answer-decoding worker thread. Worker threads do not inherit the parent's
// `--import tsx` loader, so the entry registers it before loading the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./decode-worker.ts');
