// Label selectors: the grammar, validation, error texts and matching of k8s.io/apimachinery/pkg/labels.
import { errors } from '../api/status';
import { aggregateString, field, fieldErrorString, goQuote, isQualifiedName, isValidLabelValue } from './validation';
import type { FieldError } from '../registry/types';

/** selection.Operator values, spelled as in Go ('!' is DoesNotExist, 'gt'/'lt' are written `>`/`<`). */
export type Requirement = {
  key: string;
  operator: 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';
  values: string[];
};

type Op = Requirement['operator'];

const BINARY_OPERATORS: Op[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const UNARY_OPERATORS: Op[] = ['exists', '!'];

/** The error a failed parse or requirement carries (the message kube-apiserver puts in a 400). */
class SelectorError extends Error {}

// ---------------------------------------------------------------------------------------------
// Requirements

/** Go's strconv.ParseInt(s, 10, 64) succeeds. */
function isInt64(s: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** labels.NewRequirement: validates and returns the requirement, or throws a SelectorError. */
function newRequirement(key: string, op: string, vals: string[], path = ''): Requirement {
  const p = (child: string) => (path ? `${path}.${child}` : child);
  const errs: FieldError[] = [];
  for (const e of validateLabelKey(key, p('key'))) errs.push(e);
  const valuePath = p('values');
  // Go passes a nil slice when there are no values, which prints as null.
  const shown: unknown = vals.length ? vals : null;
  switch (op) {
    case 'in':
    case 'notin':
      if (vals.length === 0) errs.push(field.invalid(valuePath, shown, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) errs.push(field.invalid(valuePath, shown, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) errs.push(field.invalid(valuePath, shown, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) errs.push(field.invalid(valuePath, shown, "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (!isInt64(v)) errs.push(field.invalid(`${valuePath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(field.notSupported(p('operator'), op, [...BINARY_OPERATORS, ...UNARY_OPERATORS]));
  }
  vals.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length) errs.push(field.invalid(`${valuePath}[${i}][${key}]`, v, msgs.join('; ')));
  });
  if (errs.length) throw new SelectorError(aggregateString(errs.map(fieldErrorString)));
  return { key, operator: op as Op, values: vals };
}

function validateLabelKey(key: string, path: string): FieldError[] {
  const msgs = isQualifiedName(key);
  return msgs.length ? [field.invalid(path, key, msgs.join('; '))] : [];
}

function sortByKey(reqs: Requirement[]): Requirement[] {
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Lexer

const enum Tok {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const STRING_TO_TOKEN = new Map<string, Tok>([
  [')', Tok.ClosedPar],
  [',', Tok.Comma],
  ['!', Tok.DoesNotExist],
  ['==', Tok.DoubleEquals],
  ['=', Tok.Equals],
  ['>', Tok.GreaterThan],
  ['in', Tok.In],
  ['<', Tok.LessThan],
  ['!=', Tok.NotEquals],
  ['notin', Tok.NotIn],
  ['(', Tok.OpenPar],
]);

const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string) => '=!(),><'.includes(ch) && ch !== '';

interface Item {
  tok: Tok;
  lit: string;
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: Tok.EndOfString, lit: '' });
      return items;
    }
    if (isSpecial(s[pos])) {
      // Longest run of special symbols that is still a token.
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        const t = STRING_TO_TOKEN.get(buf);
        if (t !== undefined) {
          last = { tok: t, lit: buf };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      items.push(last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` });
    } else {
      let buf = '';
      while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) buf += s[pos++];
      const t = STRING_TO_TOKEN.get(buf);
      items.push({ tok: t ?? Tok.Identifier, lit: buf });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Parser (labels.Parser)

const enum Ctx {
  KeyAndOperator,
  Values,
}

class Parser {
  private pos = 0;
  constructor(private items: Item[]) {}

  private adjust(item: Item, ctx: Ctx): Item {
    if (ctx === Ctx.Values && (item.tok === Tok.In || item.tok === Tok.NotIn)) return { tok: Tok.Identifier, lit: item.lit };
    return item;
  }
  lookahead(ctx: Ctx): Item {
    return this.adjust(this.items[this.pos], ctx);
  }
  consume(ctx: Ctx): Item {
    return this.adjust(this.items[this.pos++], ctx);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(Ctx.Values);
      switch (tok) {
        case Tok.Identifier:
        case Tok.DoesNotExist: {
          let r: Requirement;
          try {
            r = this.parseRequirement();
          } catch (e) {
            if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
            throw e;
          }
          reqs.push(r);
          const t = this.consume(Ctx.Values);
          if (t.tok === Tok.EndOfString) return reqs;
          if (t.tok === Tok.Comma) {
            const t2 = this.lookahead(Ctx.Values);
            if (t2.tok !== Tok.Identifier && t2.tok !== Tok.DoesNotExist) {
              throw new SelectorError(`found '${t2.lit}', expected: identifier after ','`);
            }
            break;
          }
          throw new SelectorError(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
        case Tok.EndOfString:
          return reqs;
        default:
          throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, []);
    const op = this.parseOperator();
    let values: string[];
    if (op === 'in' || op === 'notin') values = this.parseValues();
    else values = this.parseExactValue();
    // sets.String.List(): deduplicated and sorted.
    return newRequirement(key, op, [...new Set(values)].sort());
  }

  private parseKeyAndInferOperator(): { key: string; operator: Op | '' } {
    let operator: Op | '' = '';
    let item = this.consume(Ctx.Values);
    if (item.tok === Tok.DoesNotExist) {
      operator = '!';
      item = this.consume(Ctx.Values);
    }
    if (item.tok !== Tok.Identifier) throw new SelectorError(`found '${item.lit}', expected: identifier`);
    // The parser's own path is nil, which field.Path prints as "<nil>".
    const keyErrs = validateLabelKey(item.lit, '<nil>');
    if (keyErrs.length) throw new SelectorError(fieldErrorString(keyErrs[0]));
    const next = this.lookahead(Ctx.Values).tok;
    if ((next === Tok.EndOfString || next === Tok.Comma) && operator !== '!') operator = 'exists';
    return { key: item.lit, operator };
  }

  private parseOperator(): Op {
    const { tok, lit } = this.consume(Ctx.KeyAndOperator);
    switch (tok) {
      case Tok.In:
        return 'in';
      case Tok.Equals:
        return '=';
      case Tok.DoubleEquals:
        return '==';
      case Tok.GreaterThan:
        return 'gt';
      case Tok.LessThan:
        return 'lt';
      case Tok.NotIn:
        return 'notin';
      case Tok.NotEquals:
        return '!=';
      default:
        throw new SelectorError(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume(Ctx.Values);
    if (open.tok !== Tok.OpenPar) throw new SelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(Ctx.Values);
    switch (tok) {
      case Tok.Identifier:
      case Tok.Comma: {
        const s = this.parseIdentifiersList();
        if (this.consume(Ctx.Values).tok !== Tok.ClosedPar) throw new SelectorError(`found '${lit}', expected: ')'`);
        return s;
      }
      case Tok.ClosedPar:
        this.consume(Ctx.Values);
        return [''];
      default:
        throw new SelectorError(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): string[] {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(Ctx.Values);
      switch (tok) {
        case Tok.Identifier: {
          s.add(lit);
          const t2 = this.lookahead(Ctx.Values);
          if (t2.tok === Tok.Comma) continue;
          if (t2.tok === Tok.ClosedPar) return [...s];
          throw new SelectorError(`found '${t2.lit}', expected: ',' or ')'`);
        }
        case Tok.Comma: {
          if (s.size === 0) s.add(''); // "(,"
          const t2 = this.lookahead(Ctx.Values).tok;
          if (t2 === Tok.ClosedPar) {
            s.add(''); // ",)"
            return [...s];
          }
          if (t2 === Tok.Comma) {
            this.consume(Ctx.Values);
            s.add(''); // ",,"
          }
          break;
        }
        default:
          throw new SelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead(Ctx.Values).tok;
    if (next === Tok.EndOfString || next === Tok.Comma) return [''];
    const { tok, lit } = this.consume(Ctx.Values);
    if (tok === Tok.Identifier) return [lit];
    throw new SelectorError(`found '${lit}', expected: identifier`);
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * labels.Parse: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma separated.
 * The empty string selects everything. Returns requirements sorted by key. Invalid → 400 BadRequest with
 * kube-apiserver's message (e.g. `unable to parse requirement: found '', expected: '('`).
 */
export function parseLabelSelector(text: string): Requirement[] {
  try {
    return sortByKey(new Parser(lex(text)).parse());
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest(e.message);
    throw e;
  }
}

function hasValue(r: Requirement, v: string): boolean {
  return r.values.includes(v);
}

/** Requirement.Matches for every requirement (AND). */
export function matchesLabels(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const ls = labels ?? {};
  const has = (k: string) => Object.prototype.hasOwnProperty.call(ls, k);
  for (const r of reqs) {
    switch (r.operator) {
      case 'in':
      case '=':
      case '==':
        if (!has(r.key) || !hasValue(r, ls[r.key])) return false;
        break;
      case 'notin':
      case '!=':
        if (has(r.key) && hasValue(r, ls[r.key])) return false;
        break;
      case 'exists':
        if (!has(r.key)) return false;
        break;
      case '!':
        if (has(r.key)) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has(r.key) || !isInt64(ls[r.key]) || r.values.length !== 1 || !isInt64(r.values[0])) return false;
        const lv = BigInt(ls[r.key]);
        const rv = BigInt(r.values[0]);
        if (r.operator === 'gt' ? !(lv > rv) : !(lv < rv)) return false;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

/**
 * metav1.LabelSelectorAsSelector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) as
 * requirements sorted by key. An empty selector ({}) selects everything; a missing one (undefined/null)
 * selects nothing, which is returned as NOTHING (one requirement no label set satisfies).
 * Invalid input → 400 BadRequest with the Go error text.
 */
export function labelSelectorFromObject(
  sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined | null,
): Requirement[] {
  if (sel === undefined || sel === null) return NOTHING;
  const reqs: Requirement[] = [];
  try {
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
    for (const expr of sel.matchExpressions ?? []) {
      let op: Op;
      switch (expr.operator) {
        case 'In':
          op = 'in';
          break;
        case 'NotIn':
          op = 'notin';
          break;
        case 'Exists':
          op = 'exists';
          break;
        case 'DoesNotExist':
          op = '!';
          break;
        default:
          throw new SelectorError(`${goQuote(String(expr.operator ?? ''))} is not a valid label selector operator`);
      }
      reqs.push(newRequirement(expr.key ?? '', op, [...(expr.values ?? [])]));
    }
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest(e.message);
    throw e;
  }
  return sortByKey(reqs);
}

/** labels.Nothing(): no label set matches it (an `in` with no values is never satisfied). */
export const NOTHING: Requirement[] = Object.freeze([Object.freeze({ key: '', operator: 'in', values: [] as string[] })]) as unknown as Requirement[];

/** True for the NOTHING selector returned for a missing metav1.LabelSelector. */
export function isNothing(reqs: Requirement[]): boolean {
  return reqs === NOTHING;
}

/** Selector.String(): `a=b,c in (x,y),!d`. */
export function formatLabelSelector(reqs: Requirement[]): string {
  return reqs
    .map((r) => {
      const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
      switch (r.operator) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'in':
          return `${r.key} in (${values})`;
        case 'notin':
          return `${r.key} notin (${values})`;
        case 'gt':
          return `${r.key}>${values}`;
        case 'lt':
          return `${r.key}<${values}`;
        default:
          return `${r.key}${r.operator}${values}`;
      }
    })
    .join(',');
}
