// The AWS SDK for JavaScript v3 S3 client (@aws-sdk/client-s3) and lib-storage's managed Upload
// against lambda-local, path-style (run by test_s3_js_sdk.py from a folder where both packages are
// installed). The client keeps the SDK's defaults for checksums (requestChecksumCalculation and
// responseChecksumValidation WHEN_SUPPORTED: CRC32 on uploads, aws-chunked bodies with a trailing
// checksum for streams, ChecksumMode ENABLED and validation on GetObject).
//
// The bucket is left for the test to check with boto3 and remove.
//
// Prints one JSON line of what it saw. A step that throws is recorded in `failures` (the call as sent,
// the error, and the emulator's answer: status and headers; the SDK has read the body into the error's
// Code/Message) and the run goes on with the next step.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, CopyObjectCommand, DeleteObjectsCommand,
  NoSuchKey, NotFound,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const bucket = process.env.LL_BUCKET;
const client = new S3Client({
  endpoint: process.env.LL_ENDPOINT, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

// Every request as it leaves the SDK (after signing) and the raw answer, per command.
const sent = [];
let lastAnswer = null;
const WIRE_HEADERS = /^(content-encoding|content-length|content-type|content-md5|transfer-encoding|x-amz-content-sha256|x-amz-decoded-content-length|x-amz-trailer|x-amz-sdk-checksum-algorithm|x-amz-checksum-.*|x-amz-meta-.*|x-amz-copy-source|x-amz-checksum-mode)$/;
client.middlewareStack.add((next, context) => async (args) => {
  const req = args.request;
  const headers = {};
  for (const [k, v] of Object.entries(req.headers || {})) if (WIRE_HEADERS.test(k.toLowerCase())) headers[k.toLowerCase()] = v;
  sent.push({ command: context.commandName, method: req.method, path: req.path, query: req.query, headers });
  try {
    const result = await next(args);
    lastAnswer = { command: context.commandName, status: result.response?.statusCode, headers: result.response?.headers };
    return result;
  } catch (e) {
    lastAnswer = { command: context.commandName, status: e.$response?.statusCode ?? e.$metadata?.httpStatusCode,
      headers: e.$response?.headers };
    throw e;
  }
}, { step: 'deserialize', name: 'llRecordWire', priority: 'high' });

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const md5 = (b) => createHash('md5').update(b).digest('hex');
const sentFor = (command) => sent.filter((s) => s.command === command);
const errorInfo = (e) => ({
  name: e.name, message: e.message, code: e.Code, status: e.$metadata?.httpStatusCode,
  requestId: e.$metadata?.requestId, extendedRequestId: e.$metadata?.extendedRequestId,
  isNoSuchKey: e instanceof NoSuchKey, isNotFound: e instanceof NotFound,
});

const out = { sdk: {}, failures: [] };
// Runs one step; a step that throws is recorded (call, error, the emulator's answer) and the run
// goes on with the next one, so one failure does not hide the others.
async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    out.failures.push({ step: name, error: errorInfo(e), answer: lastAnswer, request: sent.at(-1) ?? null,
      stack: String(e.stack).split('\n').slice(0, 4).join('\n') });
  }
}

await step('CreateBucket', async () => {
  const created = await client.send(new CreateBucketCommand({ Bucket: bucket }));
  out.createBucket = { status: created.$metadata.httpStatusCode, location: created.Location };
});

const text = 'héllo ✓ from the js sdk\n'.repeat(100);
await step('PutObject', async () => {
  const put = await client.send(new PutObjectCommand({
    Bucket: bucket, Key: 'docs/hello.txt', Body: text, ContentType: 'text/plain; charset=utf-8',
    Metadata: { owner: 'js-sdk', 'mixed-case': 'Value 1' },
  }));
  out.put = { status: put.$metadata.httpStatusCode, etag: put.ETag, checksumCRC32: put.ChecksumCRC32,
    bodyMd5: md5(Buffer.from(text)), wire: sentFor('PutObjectCommand').at(-1) };
});

await step('GetObject', async () => {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/hello.txt' }));
  const gotText = await got.Body.transformToString();
  out.get = { status: got.$metadata.httpStatusCode, sameBody: gotText === text, length: gotText.length,
    etag: got.ETag, metadata: got.Metadata, contentType: got.ContentType, contentLength: got.ContentLength,
    checksumCRC32: got.ChecksumCRC32, wire: sentFor('GetObjectCommand').at(-1) };
});

await step('HeadObject', async () => {
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'docs/hello.txt' }));
  out.head = { status: head.$metadata.httpStatusCode, etag: head.ETag, metadata: head.Metadata,
    contentType: head.ContentType, contentLength: head.ContentLength, lastModified: head.LastModified instanceof Date };
});

await step('PutObject (stream)', async () => {
  // A stream body of known length: the SDK sends it aws-chunked with a trailing x-amz-checksum-crc32.
  const streamed = Buffer.alloc(300 * 1024 + 7);
  for (let i = 0; i < streamed.length; i++) streamed[i] = (i * 31 + 7) & 0xff;
  const putStream = await client.send(new PutObjectCommand({
    Bucket: bucket, Key: 'docs/streamed.bin', Body: Readable.from([streamed.subarray(0, 100000), streamed.subarray(100000)]),
    ContentLength: streamed.length,
  }));
  const gotStream = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/streamed.bin' }));
  const streamBack = Buffer.from(await gotStream.Body.transformToByteArray());
  out.putStream = { status: putStream.$metadata.httpStatusCode, etag: putStream.ETag, checksumCRC32: putStream.ChecksumCRC32,
    sentSha256: sha256(streamed), sentMd5: md5(streamed), length: streamed.length,
    gotSha256: sha256(streamBack), gotLength: streamBack.length, gotChecksumCRC32: gotStream.ChecksumCRC32,
    wire: sentFor('PutObjectCommand').at(-1) };
});

await step('PutObject (more keys)', async () => {
  for (const key of ['docs/a/1.txt', 'docs/a/2.txt', 'docs/b/3.txt', 'top.txt']) {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  }
});

await step('ListObjectsV2', async () => {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'docs/', Delimiter: '/' }));
  out.list = { keys: (listed.Contents || []).map((o) => o.Key), sizes: (listed.Contents || []).map((o) => o.Size),
    etags: (listed.Contents || []).map((o) => o.ETag),
    commonPrefixes: (listed.CommonPrefixes || []).map((p) => p.Prefix), keyCount: listed.KeyCount,
    isTruncated: listed.IsTruncated, prefix: listed.Prefix, delimiter: listed.Delimiter };
});

await step('CopyObject', async () => {
  const copied = await client.send(new CopyObjectCommand({
    Bucket: bucket, Key: 'copies/hello copy ü.txt', CopySource: `${bucket}/${encodeURIComponent('docs/hello.txt')}`,
  }));
  const copy = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'copies/hello copy ü.txt' }));
  out.copy = { status: copied.$metadata.httpStatusCode, etag: copied.CopyObjectResult?.ETag,
    lastModified: copied.CopyObjectResult?.LastModified instanceof Date,
    sameBody: (await copy.Body.transformToString()) === text, metadata: copy.Metadata, contentType: copy.ContentType,
    getEtag: copy.ETag };
});

await step('DeleteObjects', async () => {
  const deleted = await client.send(new DeleteObjectsCommand({
    Bucket: bucket, Delete: { Objects: [{ Key: 'docs/a/1.txt' }, { Key: 'docs/a/2.txt' }, { Key: 'never-there' }] },
  }));
  const after = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  out.deleteObjects = { status: deleted.$metadata.httpStatusCode,
    deleted: (deleted.Deleted || []).map((d) => d.Key).sort(), errors: deleted.Errors || [],
    keysAfter: (after.Contents || []).map((o) => o.Key), wire: sentFor('DeleteObjectsCommand').at(-1) };
});

await step('GetObject (missing key)', async () => {
  try {
    await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/missing.txt' }));
    out.missing = null;
  } catch (e) {
    out.missing = errorInfo(e);
  }
});

await step('HeadObject (missing key)', async () => {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'docs/missing.txt' }));
    out.headMissing = null;
  } catch (e) {
    out.headMissing = errorInfo(e);
  }
});

await step('Upload (lib-storage, multipart)', async () => {
  const big = Buffer.alloc(12 * 1024 * 1024);
  for (let off = 0; off < big.length; off += 32) createHash('sha256').update(String(off)).digest().copy(big, off);
  const partSize = 5 * 1024 * 1024;
  const upload = new Upload({
    client, params: { Bucket: bucket, Key: 'big/twelve.bin', Body: big, ContentType: 'application/octet-stream',
      Metadata: { kind: 'multipart' } },
    partSize, queueSize: 2, leavePartsOnError: false,
  });
  const progress = [];
  upload.on('httpUploadProgress', (p) => progress.push({ part: p.part, loaded: p.loaded, total: p.total }));
  const uploaded = await upload.done();
  const partMd5s = [];
  for (let off = 0; off < big.length; off += partSize) partMd5s.push(createHash('md5').update(big.subarray(off, off + partSize)).digest());
  const expectedEtag = `"${md5(Buffer.concat(partMd5s))}-${partMd5s.length}"`;
  const partsSent = sentFor('UploadPartCommand');
  const bigGot = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'big/twelve.bin' }));
  const bigBack = Buffer.from(await bigGot.Body.transformToByteArray());
  out.upload = { etag: uploaded.ETag, expectedEtag, key: uploaded.Key, bucket: uploaded.Bucket,
    location: uploaded.Location, sentSha256: sha256(big), length: big.length,
    creates: sentFor('CreateMultipartUploadCommand').length, completes: sentFor('CompleteMultipartUploadCommand').length,
    parts: partsSent.map((p) => ({ partNumber: p.query?.partNumber, contentLength: p.headers['content-length'],
      decodedLength: p.headers['x-amz-decoded-content-length'], encoding: p.headers['content-encoding'],
      checksum: Object.keys(p.headers).filter((h) => h.startsWith('x-amz-checksum-') || h === 'x-amz-trailer') })),
    progressParts: [...new Set(progress.map((p) => p.part))].sort(),
    gotSha256: sha256(bigBack), gotLength: bigBack.length, getEtag: bigGot.ETag, metadata: bigGot.Metadata,
    contentType: bigGot.ContentType };
});

out.sdk.node = process.version;
console.log(JSON.stringify(out));
