// drizzle-kit's durable-sqlite migrations import .sql files as text (wrangler rule type "Text").
declare module '*.sql' {
  const text: string;
  export default text;
}
