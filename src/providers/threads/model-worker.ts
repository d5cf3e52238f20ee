/**
 * Worker-thread side of ThreadedModel: builds the adapters it is sent (on one keep-alive transport
 * per option set) and runs their calls, so SDK request building, HTTP and response parsing use
 * this thread's CPU instead of the main thread's.
 */
import { parentPort } from 'node:worker_threads';
import { createHttpFetch } from '../../orchestrate/http-fetch.js';
import type { LanguageModel } from '../provider.js';
import { createModelInThread } from '../registry.js';
import { type FromWorker, Outbox, type ThreadModelConfig, type ToWorker, serializeError } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('model-worker.ts runs as a worker thread only');

const models = new Map<number, LanguageModel | Error>();
const calls = new Map<number, AbortController>();
const transports = new Map<string, typeof fetch>();

function build(config: ThreadModelConfig): LanguageModel {
  const key = JSON.stringify(config.transport);
  let fetch = transports.get(key);
  if (!fetch) {
    fetch = createHttpFetch(config.transport);
    transports.set(key, fetch);
  }
  const provider = config.spec.slice(0, config.spec.indexOf(':'));
  return createModelInThread(config.spec, config.env, { [provider]: { ...config.override, fetch } });
}

const outbox = new Outbox<FromWorker>((batch) => port.postMessage(batch));
const send = (message: FromWorker): void => outbox.push(message);

function handle(message: ToWorker): void {
  if (message.type === 'model') {
    try {
      models.set(message.model, build(message.config));
    } catch (e) {
      // The main thread built the same model without error, so this is not expected; each call reports it.
      models.set(message.model, e instanceof Error ? e : new Error(String(e)));
    }
  } else if (message.type === 'cancel') {
    calls.get(message.id)?.abort();
  } else {
    const { id } = message;
    const model = models.get(message.model);
    if (model === undefined || model instanceof Error) {
      send({ type: 'error', id, error: serializeError(model ?? new Error(`model ${message.model} was never sent to this thread`)) });
      return;
    }
    const ac = new AbortController();
    calls.set(id, ac);
    model.generate({ ...message.request, signal: ac.signal }).then(
      (result) => {
        calls.delete(id);
        send({ type: 'result', id, result });
      },
      (error: unknown) => {
        calls.delete(id);
        send({ type: 'error', id, error: serializeError(error) });
      },
    );
  }
}

port.on('message', (batch: ToWorker[]) => {
  for (const message of batch) handle(message);
});

send({ type: 'ready' });
