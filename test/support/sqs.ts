import { CreateQueueCommand, ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";

export async function createQueue(sqs: SQSClient, name: string): Promise<string> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "30" } }));
  if (!created.QueueUrl) throw new Error("moto returned no queue URL");
  return created.QueueUrl;
}

/** Drain up to `max` messages (bounded: a few empty receives end it). */
export async function receiveAll(sqs: SQSClient, queueUrl: string, max = 100): Promise<Message[]> {
  const all: Message[] = [];
  for (let empty = 0; empty < 3 && all.length < max; ) {
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = got.Messages ?? [];
    if (messages.length === 0) empty += 1;
    all.push(...messages);
  }
  return all;
}
