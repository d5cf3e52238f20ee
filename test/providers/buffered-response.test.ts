import { describe, expect, it } from 'vitest';
import { bufferedResponse } from '../../src/providers/buffered-response.js';

const bytes = () => new Uint8Array(Buffer.from('{"a":1,"b":"é"}'));
const init = { status: 200, headers: { 'content-type': 'application/json', 'x-id': 'r1' } };

describe('bufferedResponse: a Response over bytes already read whole', () => {
  it('is a Response with its status and headers, and reads its body once as JSON, text or bytes', async () => {
    const r = bufferedResponse(bytes(), init);
    expect(r).toBeInstanceOf(Response);
    expect([r.status, r.ok, r.headers.get('x-id'), r.bodyUsed]).toEqual([200, true, 'r1', false]);
    expect(await r.json()).toEqual({ a: 1, b: 'é' });
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);
    expect(await bufferedResponse(bytes(), init).text()).toBe('{"a":1,"b":"é"}');
    expect(Buffer.from(await bufferedResponse(bytes(), init).arrayBuffer()).toString()).toBe('{"a":1,"b":"é"}');
    expect(await (await bufferedResponse(bytes(), init).blob()).text()).toBe('{"a":1,"b":"é"}');
  });

  it('hands out its body as a stream when asked, and then reads through that stream, as a Response does', async () => {
    const streamed = bufferedResponse(bytes(), init);
    const body = streamed.body;
    expect(body).toBeInstanceOf(ReadableStream);
    expect(streamed.body).toBe(body);
    expect(await new Response(body).text()).toBe('{"a":1,"b":"é"}');
    expect(streamed.bodyUsed).toBe(true);
    await expect(streamed.json()).rejects.toThrow(TypeError);

    // Held but never read (as the Anthropic SDK holds it): json() reads the bytes, and the stream is then empty.
    const untouched = bufferedResponse(bytes(), init);
    const held = untouched.body;
    expect(held).not.toBeNull();
    expect(await untouched.json()).toEqual({ a: 1, b: 'é' });
    expect(untouched.bodyUsed).toBe(true);
    expect(await new Response(held).text()).toBe('');

    const locked = bufferedResponse(bytes(), init);
    locked.body?.getReader();
    await expect(locked.text()).rejects.toThrow(TypeError);
  });

  it('clones an unread body (before or after its stream was asked for) and refuses to clone a read one', async () => {
    const r = bufferedResponse(bytes(), init);
    const copy = r.clone();
    expect([await copy.json(), await r.json()]).toEqual([{ a: 1, b: 'é' }, { a: 1, b: 'é' }]);
    expect(() => r.clone()).toThrow(TypeError);
    const streamed = bufferedResponse(bytes(), init);
    void streamed.body;
    const copy2 = streamed.clone();
    expect([await copy2.text(), await streamed.text()]).toEqual(['{"a":1,"b":"é"}', '{"a":1,"b":"é"}']);
  });

  it('a response without a body (204) has a null body and reads as empty text', async () => {
    const r = bufferedResponse(null, { status: 204 });
    expect(r.body).toBeNull();
    expect(await r.text()).toBe('');
  });
});
