import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DownloadedFile } from '../../shared';
import { callApi, downloadFile as downloadShared, multipartBody } from '../../shared';
import { LIVECHAT_CREDENTIAL, liveChatConfig, liveChatErrorText } from './request';
import type { CustomerRef } from './tokens';
import { customerToken } from './tokens';

// Files a message sends: downloaded from their URL, uploaded to LiveChat's CDN (upload_file).

/** LiveChat's upload limit (entity_too_large above it). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export type { DownloadedFile } from '../../shared';

export async function downloadFile(
	this: IExecuteFunctions,
	url: string,
	fileName: string | undefined,
	itemIndex: number,
): Promise<DownloadedFile> {
	const file = await downloadShared.call(this, url, fileName, itemIndex);
	if (file.data.length > MAX_UPLOAD_BYTES) {
		throw new NodeOperationError(
			this.getNode(),
			`"${url}" is ${file.data.length} bytes: LiveChat accepts files up to 10 MB`,
			{ itemIndex, description: 'Send it as a link instead (option "Upload to LiveChat" off).' },
		);
	}
	return file;
}

/** A multipart/form-data body with one `file` part. */
export function multipartFile(file: DownloadedFile): { body: Buffer; contentType: string } {
	return multipartBody([{ name: 'file', data: file.data, fileName: file.fileName, contentType: file.contentType }]);
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
