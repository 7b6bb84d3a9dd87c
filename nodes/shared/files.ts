import { randomBytes } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { fileNameFromUrl } from './eventMessage';

// Files a send operation uploads: downloaded from the message's URL, sent as multipart/form-data.

export interface DownloadedFile {
	data: Buffer;
	fileName: string;
	contentType: string;
}

/** The file at a message's URL (a public link the source platform gave), with its name and type. */
export async function downloadFile(
	this: IExecuteFunctions,
	url: string,
	fileName: string | undefined,
	itemIndex: number,
): Promise<DownloadedFile> {
	let response;
	try {
		response = (await this.helpers.httpRequest({
			method: 'GET',
			url,
			encoding: 'arraybuffer',
			returnFullResponse: true,
			timeout: 30_000,
		})) as { body: Buffer | ArrayBuffer; headers: IDataObject };
	} catch (error) {
		throw new NodeOperationError(this.getNode(), `Could not download "${url}": ${(error as Error).message}`, {
			itemIndex,
		});
	}
	const data = Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body as ArrayBuffer);
	const header = response.headers?.['content-type'];
	const contentType = String(Array.isArray(header) ? header[0] : (header ?? 'application/octet-stream'))
		.split(';')[0]
		.trim();
	return { data, fileName: fileName || fileNameFromUrl(url), contentType: contentType || 'application/octet-stream' };
}

export interface MultipartPart {
	name: string;
	data: Buffer | string;
	/** A file part has a file name. */
	fileName?: string;
	contentType?: string;
}

/** A multipart/form-data body built by hand (no runtime dependencies). */
export function multipartBody(parts: MultipartPart[]): { body: Buffer; contentType: string } {
	const boundary = `----n8nHandoff${randomBytes(12).toString('hex')}`;
	const chunks: Buffer[] = [];
	for (const part of parts) {
		const name = part.name.replace(/["\r\n\\]/g, '_');
		const file = part.fileName === undefined ? '' : `; filename="${part.fileName.replace(/["\r\n\\]/g, '_')}"`;
		const type = part.contentType ? `\r\nContent-Type: ${part.contentType}` : '';
		chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file}${type}\r\n\r\n`, 'utf8'));
		chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data, 'utf8'));
		chunks.push(Buffer.from('\r\n', 'utf8'));
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
