import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ExportStore } from '../export-store.ts';

/** How long a link to a stored feed works: long enough to start the download, short enough not to be passed around. */
const LINK_SECONDS = 300;

/**
 * Exports in an S3 bucket (its lifecycle rule deletes them after a day):
 * written with a multipart upload as they are produced, so memory stays flat
 * whatever their size, and read through presigned GET links that name the
 * file and its type for the browser or Power BI.
 */
export class S3ExportStore implements ExportStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /** The client as the API function makes it: the region's S3, or a stand-in's endpoint (tests). */
  static create(options: { region: string; bucket: string; endpoint?: string | undefined }): S3ExportStore {
    const client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } : {}),
    });
    return new S3ExportStore(client, options.bucket);
  }

  async link(key: string, download: { filename: string; contentType: string }): Promise<string | undefined> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
      throw error;
    }
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentType: download.contentType,
        ResponseContentDisposition: `attachment; filename="${download.filename}"`,
      }),
      { expiresIn: LINK_SECONDS },
    );
  }

  async save(key: string, chunks: AsyncIterable<Uint8Array>, contentType: string): Promise<void> {
    await new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: Readable.from(chunks), ContentType: contentType },
    }).done();
  }
}
