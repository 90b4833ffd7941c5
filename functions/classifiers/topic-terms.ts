/**
 * Terms that signal the built-in policy topics. Matched on word stems (see text-terms.ts), so one
 * form covers its inflections. Deliberately broad: a false match sends a ticket to a human, a
 * missed one may not, so workflows that route on topics err towards review.
 */
import type { builtinTopicNames } from '../../state-machines/schema.js';

export const BUILTIN_TOPICS: Record<(typeof builtinTopicNames)[number], { description: string; terms: string[] }> = {
  legal: {
    description: 'legal threats or proceedings: lawyers, lawsuits, courts, contracts in dispute',
    terms: [
      'lawyer', 'attorney', 'solicitor', 'lawsuit', 'sue', 'suing', 'legal action', 'legal department', 'legal team',
      'court', 'subpoena', 'litigation', 'class action', 'cease and desist', 'liable', 'liability', 'breach of contract',
      'small claims', 'counsel', 'damages', 'injunction', 'ombudsman',
    ],
  },
  security: {
    description: 'security incidents: compromised accounts, breaches, vulnerabilities, fraud',
    terms: [
      'hacked', 'hacker', 'breach', 'data breach', 'vulnerability', 'exploit', 'phishing', 'malware', 'ransomware',
      'unauthorized access', 'unauthorised access', 'compromised', 'account takeover', 'suspicious login', 'leaked',
      'credentials', 'stolen password', 'security incident', 'cve', 'ddos', 'xss', 'sql injection', 'fraud', 'fraudulent',
    ],
  },
  compliance: {
    description: 'privacy and regulation: data-subject requests, GDPR/CCPA/HIPAA/PCI, audits, regulators',
    terms: [
      'gdpr', 'ccpa', 'hipaa', 'pci', 'soc 2', 'soc2', 'iso 27001', 'data protection', 'right to be forgotten',
      'data subject', 'dsar', 'subject access request', 'delete my data', 'erase my data', 'personal data', 'privacy',
      'regulator', 'regulatory', 'compliance', 'audit', 'consent', 'data processing agreement', 'dpa', 'retention policy',
    ],
  },
  billing: {
    description: 'money: invoices, charges, refunds, payments, subscriptions and plans',
    terms: [
      'invoice', 'charge', 'charged', 'overcharged', 'double charged', 'refund', 'payment', 'billing', 'bill',
      'subscription', 'credit card', 'receipt', 'chargeback', 'price', 'pricing', 'plan', 'upgrade', 'downgrade',
      'cancel my subscription', 'vat', 'tax', 'discount', 'coupon', 'renewal',
    ],
  },
};
