// The AWS SDK for JavaScript v3 SQS client against lambda-local (run by test_sqs_api.py from a
// folder where @aws-sdk/client-sqs is installed). Prints one JSON line of what it saw.
import {
  SQSClient, CreateQueueCommand, SendMessageCommand, SendMessageBatchCommand, ReceiveMessageCommand,
  DeleteMessageCommand, GetQueueUrlCommand, GetQueueAttributesCommand, QueueDoesNotExist,
} from '@aws-sdk/client-sqs';

const client = new SQSClient({
  endpoint: process.env.LL_ENDPOINT, region: 'us-east-1', maxAttempts: 1,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const out = {};
const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: process.env.LL_QUEUE }));
out.queueUrl = QueueUrl;

const attrs = {
  s: { DataType: 'String', StringValue: 'v' },
  n: { DataType: 'Number', StringValue: '1.5' },
  b: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 255]) },
};
const sent = await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'héllo ✓ from js', MessageAttributes: attrs }));
out.sent = { MD5OfMessageBody: sent.MD5OfMessageBody, MD5OfMessageAttributes: sent.MD5OfMessageAttributes };
const batch = await client.send(new SendMessageBatchCommand({
  QueueUrl, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'b', MessageBody: 'y' }],
}));
out.batch = { successful: (batch.Successful || []).length, failed: (batch.Failed || []).length };

const messages = [];
for (let i = 0; i < 5 && messages.length < 3; i++) {
  const got = await client.send(new ReceiveMessageCommand({
    QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
    MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
  }));
  messages.push(...(got.Messages || []));
}
const withAttrs = messages.find((m) => m.MessageAttributes);
out.received = {
  bodies: messages.map((m) => m.Body),
  binary: withAttrs ? Buffer.from(withAttrs.MessageAttributes.b.BinaryValue).toString('base64') : null,
  receiveCount: withAttrs ? withAttrs.Attributes.ApproximateReceiveCount : null,
};
for (const m of messages) await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
const counts = await client.send(new GetQueueAttributesCommand({
  QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
}));
out.afterDelete = Number(counts.Attributes.ApproximateNumberOfMessages) +
  Number(counts.Attributes.ApproximateNumberOfMessagesNotVisible);

try {
  await client.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue-from-js' }));
  out.error = null;
} catch (e) {
  out.error = { name: e.name, isModelledClass: e instanceof QueueDoesNotExist, status: e.$metadata?.httpStatusCode };
}
console.log(JSON.stringify(out));
