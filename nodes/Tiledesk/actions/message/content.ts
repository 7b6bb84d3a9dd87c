import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { MessageSource } from '../../../shared';
import { contentFromEvent, eventMessageParameter, fileNameFromUrl, messageSource } from '../../../shared';
import { requireHttpUrl } from '../common';

/** What a Send posts: a text, or an image or file; from a trigger event also where it came from. */
export type Content = (
	| { type: 'text'; text: string }
	| { type: 'image' | 'file'; url: string; caption: string; fileName: string; mimeType: string }
) & { source?: MessageSource };

/** What to send, from the parameters or from a trigger event's message. */
export function contentOf(this: IExecuteFunctions, messageType: string, options: IDataObject, itemIndex: number): Content {
	if (messageType === 'event') {
		const message = eventMessageParameter.call(this, 'message', itemIndex);
		const content = contentFromEvent(message);
		if (content === null) {
			throw new NodeOperationError(this.getNode(), '"Message" holds nothing to send (no text, no http(s) URL)', { itemIndex });
		}
		const source = messageSource(message);
		if (content.type === 'text') return { ...content, source };
		return {
			...content,
			source,
			fileName: String(options.fileName || '') || content.fileName || fileNameFromUrl(content.url),
			mimeType: String(options.mimeType || '') || content.mimeType || '',
		};
	}
	if (messageType === 'text') {
		const text = String(this.getNodeParameter('text', itemIndex, ''));
		if (text.trim() === '') {
			throw new NodeOperationError(this.getNode(), '"Text" is empty: Tiledesk needs a text for a text message', { itemIndex });
		}
		return { type: 'text', text };
	}
	const url = requireHttpUrl.call(this, String(this.getNodeParameter('url', itemIndex, '')).trim(), 'URL', itemIndex);
	return {
		type: messageType === 'image' ? 'image' : 'file',
		url,
		caption: String(this.getNodeParameter('caption', itemIndex, '')),
		fileName: String(options.fileName || '') || fileNameFromUrl(url),
		mimeType: String(options.mimeType || ''),
	};
}
