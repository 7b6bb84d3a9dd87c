import { randomBytes } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { callApi, fileNameFromUrl } from '../../shared';
import { LIVECHAT_CREDENTIAL, liveChatConfig, liveChatErrorText } from './request';
import type { CustomerRef } from './tokens';
import { customerToken } from './tokens';

// Files a message sends: downloaded from their URL, uploaded to LiveChat's CDN (upload_file).

/** LiveChat's upload limit (entity_too_large above it). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export interface DownloadedFile {
	data: Buffer;
	fileName: string;
	contentType: string;
}

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
	if (data.length > MAX_UPLOAD_BYTES) {
		throw new NodeOperationError(
			this.getNode(),
			`"${url}" is ${data.length} bytes: LiveChat accepts files up to 10 MB`,
			{ itemIndex, description: 'Send it as a link instead (option "Upload to LiveChat" off).' },
		);
	}
	const header = response.headers?.['content-type'];
	const contentType = String(Array.isArray(header) ? header[0] : (header ?? 'application/octet-stream'))
		.split(';')[0]
		.trim();
	return { data, fileName: fileName || fileNameFromUrl(url), contentType: contentType || 'application/octet-stream' };
}

/** A multipart/form-data body with one `file` part, built by hand (no runtime dependencies). */
export function multipartFile(file: DownloadedFile): { body: Buffer; contentType: string } {
	const boundary = `----n8nHandoff${randomBytes(12).toString('hex')}`;
	const safeName = file.fileName.replace(/["\r\n\\]/g, '_');
	const head = Buffer.from(
		`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
		'utf8',
	);
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
	return { body: Buffer.concat([head, file.data, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Uploads a file through `upload_file` of the Agent Chat API, or of the Customer Chat API with a
 * customer's token, and returns the LiveChat CDN URL a `file` event needs.
 */
export async function uploadFile(
	this: IExecuteFunctions,
	file: DownloadedFile,
	as: { api: 'agent'; headers?: IDataObject; apiVersion?: string } | { api: 'customer'; customer: CustomerRef },
	itemIndex: number,
): Promise<string> {
	const config = await liveChatConfig(this);
	const { body, contentType } = multipartFile(file);
	const headers: IDataObject = { 'Content-Type': contentType };
	let version = config.apiVersion;
	let qs: IDataObject | undefined;
	if (as.api === 'customer') {
		const token = await customerToken.call(this, as.customer, itemIndex);
		headers.Authorization = `Bearer ${token.accessToken}`;
		qs = { organization_id: config.organizationId };
	} else {
		Object.assign(headers, as.headers);
		version = as.apiVersion ?? version;
	}
	const response = await callApi.call(this, {
		platform: 'LiveChat',
		credentialType: LIVECHAT_CREDENTIAL,
		call: 'upload file',
		method: 'POST',
		url: `${config.apiUrl}/${version}/${as.api}/action/upload_file`,
		body: body as unknown as IDataObject,
		qs,
		headers,
		itemIndex,
		errorText: liveChatErrorText,
	});
	const url = (response.body as IDataObject | undefined)?.url;
	if (typeof url !== 'string' || url === '') {
		throw new NodeOperationError(this.getNode(), 'LiveChat returned no URL for the uploaded file', { itemIndex });
	}
	return url;
}
