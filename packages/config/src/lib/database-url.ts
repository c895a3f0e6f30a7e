/**
 * A database URL fit for logs, summaries and /ready: the password replaced by ***. Input that does
 * not parse as a URL is hidden whole (it might hold a password in a shape we do not recognise).
 */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
    return parsed.toString();
  } catch {
    return '(a database URL that does not parse)';
  }
}
