import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventSink } from '../alerts.ts';
import type { DomainEvent } from '@bt/core';

/**
 * Locally (and for a local invoke of a function), published events are appended to a JSON-lines file (one event a
 * line). An event already in the file is not written again, so a publish
 * retried after a crash leaves one line per event.
 */
export class FileEventSink implements EventSink {
  constructor(private readonly path: string) {}

  async publish(events: DomainEvent[]): Promise<void> {
    const seen = this.ids();
    const lines = events.filter((e) => !seen.has(e.id)).map((e) => `${JSON.stringify(e)}\n`);
    if (lines.length === 0) return;
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, lines.join(''));
  }

  ids(): Set<string> {
    if (!existsSync(this.path)) return new Set();
    return new Set(
      readFileSync(this.path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as DomainEvent).id),
    );
  }

  read(): DomainEvent[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as DomainEvent);
  }
}
