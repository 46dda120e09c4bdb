/** The source of one notification template: LiquidJS text, written by Escalon or an admin. */
export interface TemplateSource {
  /** `customer` templates are the only ones ever sent to customers. */
  audience: 'internal' | 'customer';
  subject: string;
  text: string;
  /** Optional HTML body (rendered with every output escaped); without it the text is escaped and wrapped. */
  html?: string;
}
