import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from './context.ts';
import type { ExportJob } from './export-jobs.ts';
import type { ExportStore } from './export-store.ts';
import { feedOfJob } from './feed-export.ts';
import { logger } from './logger.ts';
import { monitoringPackEtag, monitoringPackFile, packFileKey, XLSX_CONTENT_TYPE } from './monitoring-pack.ts';

/** A job's file as it would be asked for now: its ETag, its name and type, and its bytes when made. */
interface ExportFile {
  etag: string;
  /** How long until what is read is the whole of what the ETag names (`dataMark`): 0 once it is. */
  settlesInMs: number;
  /** Where it is stored: named by its ETag, as the API links to it. */
  key: string;
  file: { filename: string; contentType: string };
  chunks(): AsyncIterable<string | Uint8Array>;
}

async function fileOfJob(deps: Deps, job: ExportJob): Promise<ExportFile> {
  if (job.kind === 'feed') return feedOfJob(deps, job);
  const pack = await monitoringPackEtag(deps, job.caller, job.query);
  return {
    etag: pack.etag,
    settlesInMs: pack.settlesInMs,
    key: packFileKey(pack.etag, pack.filename),
    file: { filename: pack.filename, contentType: XLSX_CONTENT_TYPE },
    chunks: () => monitoringPackFile(deps, job.caller, job.query),
  };
}

/**
 * In the export function: makes the file of a job (a feed or the monitoring
 * pack) and stores it under the job's key, from settled data (`dataMark`: a
 * job handed off within the window after a write waits it out), unless the
 * data has changed since it was asked for (the ETag no longer the job's: a
 * request now would be for another file, and gets a job of its own) or the
 * file is already there. The caller's right to it is checked again. The
 * job's marker is released either way, and on failure, so a later request
 * can start again.
 */
export async function runExport(deps: Deps, exportStore: ExportStore, job: ExportJob): Promise<'stored' | 'already-stored' | 'stale'> {
  try {
    let current = await fileOfJob(deps, job);
    // Asked for within the window after a write: a change sent a moment before may still land, and the file stored under
    // this name must have it. Made once the window has passed (unless the data has moved on meanwhile: stale, below).
    // Looked at again after the wait: a timer may fire a moment early by the clock. Twice at most: a mark still unsettled
    // after that is of a clock running fast (`dataMark`), which waiting longer would not change.
    for (let waits = 0; waits < 2 && current.etag === job.etag && current.settlesInMs > 0; waits++) {
      await sleep(current.settlesInMs);
      current = await fileOfJob(deps, job);
    }
    if (current.etag !== job.etag) {
      logger.info('An export job was for data since changed: nothing made', { key: job.key, requestId: job.caller.requestId });
      return 'stale';
    }
    // A job stores its file where the API links to it, and nowhere else.
    if (job.key !== current.key) throw new Error(`An export job's key ${job.key} is not its file's (${current.key}): nothing made.`);
    if (await exportStore.link(job.key, current.file)) return 'already-stored';
    const encoder = new TextEncoder();
    const chunks = current.chunks();
    const bytes = async function* () {
      for await (const chunk of chunks) yield typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    };
    await exportStore.save(job.key, bytes(), current.file.contentType);
    return 'stored';
  } finally {
    await deps.store.exportJobs.release(job.key);
  }
}
