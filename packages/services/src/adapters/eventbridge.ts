import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '@bt/core';
import type { EventSink } from '../alerts.ts';

/** Publishes to an EventBridge bus, ten at a time (the PutEvents limit); failed entries are an error, so the outbox keeps them. */
export class EventBridgeSink implements EventSink {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: DomainEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((e) => ({
            EventBusName: this.busName,
            Source: e.source,
            DetailType: e.detailType,
            Time: new Date(e.time),
            Detail: JSON.stringify({ id: e.id, ...e.detail }),
          })),
        }),
      );
      if (result.FailedEntryCount) throw new Error(`EventBridge refused ${result.FailedEntryCount} of ${batch.length} events`);
    }
  }
}
