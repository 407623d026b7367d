// The AWS SDK for JavaScript v3 SNS client (@aws-sdk/client-sns) against lambda-local (run by
// test_sns_api.py from a folder where the package is installed): create a topic, subscribe a queue,
// publish (one message and a batch), list, read attributes and tags, delete. Prints one JSON line of
// what it saw.
import {
  SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand, PublishBatchCommand, ListTopicsCommand,
  ListSubscriptionsByTopicCommand, GetTopicAttributesCommand, GetSubscriptionAttributesCommand,
  ListTagsForResourceCommand, DeleteTopicCommand, NotFoundException,
} from '@aws-sdk/client-sns';

const client = new SNSClient({
  endpoint: process.env.LL_ENDPOINT, region: 'us-east-1', maxAttempts: 1,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const out = {};

const { TopicArn } = await client.send(new CreateTopicCommand({
  Name: process.env.LL_TOPIC, Attributes: { DisplayName: 'From JS' }, Tags: [{ Key: 'sdk', Value: 'js' }],
}));
out.topicArn = TopicArn;

const sub = await client.send(new SubscribeCommand({
  TopicArn, Protocol: 'sqs', Endpoint: process.env.LL_QUEUE_ARN,
  Attributes: { RawMessageDelivery: 'true' }, ReturnSubscriptionArn: true,
}));
out.subscriptionArn = sub.SubscriptionArn;

const published = await client.send(new PublishCommand({
  TopicArn, Message: 'héllo ✓ from js', Subject: 'js',
  MessageAttributes: {
    s: { DataType: 'String', StringValue: 'v' },
    n: { DataType: 'Number', StringValue: '1.5' },
    b: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 255]) },
    a: { DataType: 'String.Array', StringValue: '["x", 2]' },
  },
}));
out.messageId = published.MessageId;

const batch = await client.send(new PublishBatchCommand({
  TopicArn, PublishBatchRequestEntries: [{ Id: 'a', Message: 'x' }, { Id: 'b', Message: 'y' }],
}));
out.batch = { successful: (batch.Successful || []).map((e) => e.Id).sort(), failed: (batch.Failed || []).length };

const topics = [];
let NextToken;
do {
  const page = await client.send(new ListTopicsCommand({ NextToken }));
  topics.push(...(page.Topics || []).map((t) => t.TopicArn));
  NextToken = page.NextToken;
} while (NextToken);
out.listed = topics.includes(TopicArn);

const subs = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
out.subscriptions = (subs.Subscriptions || []).map((s) => ({
  arn: s.SubscriptionArn, protocol: s.Protocol, endpoint: s.Endpoint, owner: s.Owner, topicArn: s.TopicArn,
}));

const topicAttrs = (await client.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes;
const subAttrs = (await client.send(new GetSubscriptionAttributesCommand({
  SubscriptionArn: sub.SubscriptionArn,
}))).Attributes;
out.attributes = {
  DisplayName: topicAttrs.DisplayName, SubscriptionsConfirmed: topicAttrs.SubscriptionsConfirmed,
  RawMessageDelivery: subAttrs.RawMessageDelivery,
};
out.tags = (await client.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags;

await client.send(new DeleteTopicCommand({ TopicArn }));
try {
  await client.send(new GetTopicAttributesCommand({ TopicArn }));
  out.afterDelete = null;
} catch (e) {
  out.afterDelete = { name: e.name, isModelledClass: e instanceof NotFoundException, status: e.$metadata?.httpStatusCode };
}
console.log(JSON.stringify(out));
