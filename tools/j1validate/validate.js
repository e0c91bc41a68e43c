#!/usr/bin/env node
// validate.js — checks a JupiterOne graph directory (the .j1-integration/graph
// layout: <stepId>/{entities,relationships}/*.json) against JupiterOne's own
// data model, @jupiterone/data-model (pinned in package-lock.json), the way the
// integration SDK's entity validator does:
//
//   new Ajv({strictSchema: false, allErrors: true}) + ajv-formats, plus the
//   SDK's own formats `ip`, `ipCidr` and `asn`; the `deprecated` keyword is a
//   warning (reported under "deprecated", never a failure); every schema of
//   dataModel.entitySchemas is added; an entity is validated against
//   `#<_type>` when such a schema exists, else against `#<class>` for each of
//   its classes; a class with no schema is an error.
//
// Relationships: `_class` must be one of dataModel.RelationshipClass and
// every property value must be string | number | boolean | null (the
// `_mapping` of a mapped relationship is the SDK's own object and exempt).
//
// Exemptions (and only these), reported under "exempted":
//   - `_class` Proxy on aws_apigateway_rest_api (the data model has no Proxy);
//   - the relationship verb CAN_ASSUME;
//   - the data model's own INTERNET constant entity (`global:internet`): its
//     CIDRv6 "::/0" fails the Network schema's ipv6 format.
//
// Usage: node validate.js <graph-dir>    (prints one JSON document on stdout;
// exit status 0 when nothing fails, 1 when something fails, 2 on bad input)
'use strict';

const fs = require('fs');
const path = require('path');
const net = require('net');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const dataModel = require('@jupiterone/data-model');

const DATA_MODEL_VERSION = require('@jupiterone/data-model/package.json').version;

const ipv4Cidr = /^(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\/(3[0-2]|[12]?[0-9])$/;
function isIpv6Cidr(x) {
  const i = x.lastIndexOf('/');
  if (i < 0) return false;
  const bits = x.slice(i + 1);
  return net.isIPv6(x.slice(0, i)) && /^(12[0-8]|1[01][0-9]|[1-9]?[0-9])$/.test(bits);
}

// Deprecated properties seen while validating the current object.
let deprecatedSeen = [];

function newValidator() {
  const ajv = new Ajv({ strictSchema: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('ip', (x) => net.isIP(x) !== 0);
  ajv.addFormat('ipCidr', (x) => ipv4Cidr.test(x) || isIpv6Cidr(x));
  ajv.addFormat('asn', (x) => /^AS\d{2,6}$/.test(x));
  ajv.removeKeyword('deprecated');
  ajv.addKeyword({
    keyword: 'deprecated',
    schemaType: 'boolean',
    validate: (deprecated, _data, _parent, cxt) => {
      if (deprecated && cxt) deprecatedSeen.push(cxt.instancePath);
      return true;
    },
  });
  for (const schema of Object.values(dataModel.entitySchemas)) ajv.addSchema(schema);
  return ajv;
}

function listJSON(dir) {
  const out = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...listJSON(p));
    else if (ent.isFile() && ent.name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

function classesOf(e) {
  if (typeof e._class === 'string') return [e._class];
  if (Array.isArray(e._class)) return e._class.filter((c) => typeof c === 'string');
  return [];
}

const isInternet = (e) => e._key === 'global:internet';

// exemptError reports why an ajv error is exempt, or null.
function exemptError(e, schemaId, err) {
  if (isInternet(e) && err.keyword === 'format' && err.instancePath === '/CIDRv6' && e.CIDRv6 === '::/0') {
    return 'data model INTERNET constant: CIDRv6 "::/0" fails the ipv6 format';
  }
  return null;
}

function validateEntity(ajv, e) {
  const errors = [];
  const exempted = [];
  const deprecated = [];
  const schemas = [];
  if (typeof e._type === 'string' && ajv.getSchema('#' + e._type)) {
    schemas.push('#' + e._type);
  } else {
    for (const c of classesOf(e)) {
      if (c === 'Proxy' && e._type === 'aws_apigateway_rest_api') {
        exempted.push({ schema: '#Proxy', message: 'class Proxy on aws_apigateway_rest_api (no schema exists)' });
        continue;
      }
      if (!ajv.getSchema('#' + c)) {
        errors.push({ schema: '#' + c, schemaPath: '', instancePath: '/_class', keyword: 'class', message: `Could not find schema for class ${c}` });
        continue;
      }
      schemas.push('#' + c);
    }
    if (classesOf(e).length === 0) {
      errors.push({ schema: '#GraphObject', schemaPath: '', instancePath: '/_class', keyword: 'class', message: '_class missing or not a string/list of strings' });
    }
  }
  for (const id of schemas) {
    const validate = ajv.getSchema(id);
    deprecatedSeen = [];
    const ok = validate(e);
    for (const p of deprecatedSeen) deprecated.push({ schema: id, instancePath: p });
    if (ok) continue;
    for (const err of validate.errors || []) {
      const f = {
        schema: id,
        schemaPath: err.schemaPath,
        instancePath: err.instancePath,
        keyword: err.keyword,
        message: err.message,
        params: err.params,
      };
      const why = exemptError(e, id, err);
      if (why) exempted.push({ ...f, reason: why });
      else errors.push(f);
    }
  }
  return { errors, exempted, deprecated };
}

const relationshipClasses = new Set(Object.values(dataModel.RelationshipClass));

function validateRelationship(r) {
  const errors = [];
  const exempted = [];
  if (typeof r._class !== 'string' || !relationshipClasses.has(r._class)) {
    const f = { kind: 'relationship class', property: '_class', message: `_class ${JSON.stringify(r._class)} is not in dataModel.RelationshipClass` };
    if (r._class === 'CAN_ASSUME') exempted.push({ ...f, reason: 'verb CAN_ASSUME exempt' });
    else errors.push(f);
  }
  for (const [k, v] of Object.entries(r)) {
    if (k === '_mapping') continue;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) continue;
    const kind = Array.isArray(v) ? 'property value is a list' : `property value is ${typeof v === 'object' ? 'an object' : 'a ' + typeof v}`;
    errors.push({ kind, property: k, message: `${k}: ${kind}; must be string | number | boolean | null` });
  }
  return { errors, exempted };
}

function count(map, k) {
  map[k] = (map[k] || 0) + 1;
}

function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node validate.js <graph-dir>');
    process.exit(2);
  }
  const ajv = newValidator();
  const report = {
    dataModelVersion: DATA_MODEL_VERSION,
    graphDir: dir,
    entities: { total: 0, failing: 0, totalByType: {}, failingByType: {} },
    relationships: { total: 0, failing: 0, totalByType: {}, failingByType: {} },
    failures: [],
    deprecated: [],
    exempted: [],
  };
  const deprecatedUse = new Map();
  for (const file of listJSON(dir)) {
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      console.error(`${file}: ${err.message}`);
      process.exit(2);
    }
    const rel = path.relative(dir, file);
    for (const e of doc.entities || []) {
      report.entities.total++;
      count(report.entities.totalByType, e._type);
      const { errors, exempted, deprecated } = validateEntity(ajv, e);
      for (const d of deprecated) {
        const k = `${e._type}\u0000${d.schema}\u0000${d.instancePath}`;
        if (!deprecatedUse.has(k)) deprecatedUse.set(k, { _type: e._type, schema: d.schema, property: d.instancePath.replace(/^\//, ''), count: 0 });
        deprecatedUse.get(k).count++;
      }
      for (const x of exempted) report.exempted.push({ object: 'entity', _key: e._key, _type: e._type, ...x });
      if (errors.length) {
        report.entities.failing++;
        count(report.entities.failingByType, e._type);
        report.failures.push({ object: 'entity', file: rel, _key: e._key, _type: e._type, _class: e._class, errors });
      }
    }
    for (const r of doc.relationships || []) {
      report.relationships.total++;
      count(report.relationships.totalByType, r._type);
      const { errors, exempted } = validateRelationship(r);
      for (const x of exempted) report.exempted.push({ object: 'relationship', _key: r._key, _type: r._type, ...x });
      if (errors.length) {
        report.relationships.failing++;
        count(report.relationships.failingByType, r._type);
        report.failures.push({ object: 'relationship', file: rel, _key: r._key, _type: r._type, _class: r._class, errors });
      }
    }
  }
  report.deprecated = [...deprecatedUse.values()];
  // exitCode, not exit(): a large report on a pipe must be flushed first.
  process.exitCode = report.failures.length ? 1 : 0;
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

main();
