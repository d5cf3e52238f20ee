/** One message of a chat prompt: what a rendered template is, and what every provider adapter sends. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}
