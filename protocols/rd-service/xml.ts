/**
 * One lenient XML reading for every RD reply: vendors differ in prolog, quoting, namespaces,
 * whitespace and attribute order (reference §1.2, §1.5), so attributes are read by name, values
 * kept as trimmed strings, and repeated elements always come back as arrays.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RdServiceError } from './errors.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  removeNSPrefix: true,
  isArray: (name) => name === 'Interface' || name === 'Param',
});

export type XmlNode = Record<string, unknown>;

/** Parses `xml` and returns the named root element; never echoes document content in errors. */
export function parseRoot(xml: string, root: string): XmlNode {
  const invalid = (context: Record<string, number> = {}): RdServiceError =>
    new RdServiceError('RD_XML_INVALID', `reply is not well-formed XML (expected <${root}>)`, context);
  let doc: XmlNode;
  // The validator and the parser each throw on some malformed inputs (e.g. an unclosed <?…?>);
  // whatever they throw, callers see one typed error, without the document's text.
  try {
    const valid = XMLValidator.validate(xml);
    if (valid !== true) throw invalid({ line: valid.err.line, col: valid.err.col });
    doc = parser.parse(xml) as XmlNode;
  } catch (e) {
    throw e instanceof RdServiceError ? e : invalid();
  }
  const node = doc[root];
  if (node === undefined || node === null || typeof node !== 'object') {
    // A self-closing root with no attributes parses to '' — still the element, just empty.
    if (node === '') return {};
    throw new RdServiceError('RD_SCHEMA', `reply has no <${root}> element`);
  }
  return node as XmlNode;
}

export function escapeAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
