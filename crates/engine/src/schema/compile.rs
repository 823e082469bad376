//! Compiling a schema's JSON into a [`Schema`], refusing any keyword its dialect does not check.

use serde_json::{Map, Value};

use super::{Condition, FORMATS, Schema, TYPES};

/// Which keywords a schema may use (see the [module docs](super)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    /// An action's input: [`KEYWORDS`] only.
    Input,
    /// A whole document: [`KEYWORDS`] and [`DOCUMENT_KEYWORDS`].
    Document,
}

const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

const KEYWORDS: &[&str] = &[
    "type",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
];

const DOCUMENT_KEYWORDS: &[&str] = &[
    "$id",
    "$defs",
    "$ref",
    "allOf",
    "if",
    "then",
    "else",
    "propertyNames",
    "minProperties",
    "maxProperties",
];

/// The prefix of the only `$ref`s a document may hold.
const DEFS_REF: &str = "#/$defs/";

/// Compiles `schema` in `dialect`; in a document, `$defs` at the root and every `$ref` to them.
pub(super) fn compile(schema: &Value, dialect: Dialect) -> Result<Schema, String> {
    let mut c = Compiler {
        dialect,
        refs: Vec::new(),
    };
    let mut root = c.schema(schema, "")?;
    if let Some(defs) = schema.get("$defs") {
        let defs = defs
            .as_object()
            .ok_or("/$defs: takes an object of schemas")?;
        for (name, def) in defs {
            let here = format!("/$defs/{}", crate::yaml::escape_token(name));
            root.defs.insert(name.clone(), c.schema(def, &here)?);
        }
    }
    match c
        .refs
        .iter()
        .find(|(_, name)| !root.defs.contains_key(name))
    {
        Some((at, name)) => Err(format!(
            "{at}: `$ref` names `{DEFS_REF}{name}`, which the document's `$defs` do not define"
        )),
        None => Ok(root),
    }
}

struct Compiler {
    dialect: Dialect,
    /// Every `$ref` met: where, and the `$defs` name it refers to.
    refs: Vec<(String, String)>,
}

impl Compiler {
    fn schema(&mut self, schema: &Value, at: &str) -> Result<Schema, String> {
        let where_ = if at.is_empty() { "the schema" } else { at };
        let members = match schema {
            Value::Bool(b) => {
                return Ok(Schema {
                    never: !b,
                    ..Schema::default()
                });
            }
            Value::Object(m) => m,
            _ => return Err(format!("{where_}: a schema is an object or a boolean")),
        };
        self.check_keywords(members, at, where_)?;
        let mut s = Schema {
            types: types_of(members.get("type"), where_)?,
            allowed: members
                .get("enum")
                .map(|v| array_of(v, "enum", where_))
                .transpose()?,
            constant: members.get("const").cloned(),
            ..Schema::default()
        };
        compile_bounds(&mut s, members, where_)?;
        compile_strings(&mut s, members, where_, self.dialect)?;
        self.nested(&mut s, members, at)?;
        self.applicators(&mut s, members, at)?;
        Ok(s)
    }

    fn check_keywords(
        &self,
        members: &Map<String, Value>,
        at: &str,
        where_: &str,
    ) -> Result<(), String> {
        let (extra, scope) = match self.dialect {
            Dialect::Input => (&[][..], "in inputs"),
            Dialect::Document => (DOCUMENT_KEYWORDS, "here"),
        };
        let known =
            |k: &str| KEYWORDS.contains(&k) || ANNOTATIONS.contains(&k) || extra.contains(&k);
        if let Some(k) = members.keys().find(|k| !known(k)) {
            return Err(format!(
                "{where_}: the JSON Schema keyword `{k}` is not supported {scope}; supported: {}",
                [KEYWORDS, extra].concat().join(", ")
            ));
        }
        if !at.is_empty() && members.contains_key("$defs") {
            return Err(format!("{at}: `$defs` is read at the document's root only"));
        }
        Ok(())
    }

    /// `items`, `properties`, `required`, `additionalProperties`, `propertyNames`.
    fn nested(&mut self, s: &mut Schema, m: &Map<String, Value>, at: &str) -> Result<(), String> {
        if let Some(items) = m.get("items") {
            s.items = Some(Box::new(self.schema(items, &format!("{at}/items"))?));
        }
        if let Some(props) = m.get("properties") {
            let props = props
                .as_object()
                .ok_or_else(|| format!("{at}/properties: takes an object of schemas"))?;
            for (name, schema) in props {
                let here = format!("{at}/properties/{}", crate::yaml::escape_token(name));
                s.properties
                    .insert(name.clone(), self.schema(schema, &here)?);
            }
        }
        if let Some(req) = m.get("required") {
            let names = array_of(req, "required", at)?;
            s.required = names
                .iter()
                .map(|n| n.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(|| format!("{at}/required: takes a list of member names"))?;
        }
        if let Some(extra) = m.get("additionalProperties") {
            let here = format!("{at}/additionalProperties");
            s.additional = Some(Box::new(self.schema(extra, &here)?));
        }
        if let Some(names) = m.get("propertyNames") {
            let here = format!("{at}/propertyNames");
            s.property_names = Some(Box::new(self.schema(names, &here)?));
        }
        Ok(())
    }

    /// `$ref`, `allOf`, `if`/`then`/`else`.
    fn applicators(
        &mut self,
        s: &mut Schema,
        m: &Map<String, Value>,
        at: &str,
    ) -> Result<(), String> {
        if let Some(r) = m.get("$ref") {
            let name = r
                .as_str()
                .and_then(|r| r.strip_prefix(DEFS_REF))
                .filter(|name| !name.contains('/'))
                .ok_or_else(|| {
                    format!("{at}/$ref: takes a local reference `{DEFS_REF}NAME`, not {r}")
                })?;
            let name = crate::yaml::unescape_token(name);
            self.refs.push((format!("{at}/$ref"), name.clone()));
            s.reference = Some(name);
        }
        if let Some(parts) = m.get("allOf") {
            for (i, part) in array_of(parts, "allOf", at)?.iter().enumerate() {
                s.all_of
                    .push(self.schema(part, &format!("{at}/allOf/{i}"))?);
            }
        }
        let mut branch = |key: &str| {
            m.get(key)
                .map(|b| self.schema(b, &format!("{at}/{key}")))
                .transpose()
        };
        let test = branch("if")?;
        let (then, otherwise) = (branch("then")?, branch("else")?);
        if let Some(test) = test {
            s.condition = Some(Box::new(Condition {
                test,
                then,
                otherwise,
            }));
        }
        Ok(())
    }
}

fn compile_bounds(s: &mut Schema, m: &Map<String, Value>, at: &str) -> Result<(), String> {
    let num = |k: &str| -> Result<Option<f64>, String> {
        m.get(k)
            .map(|v| {
                v.as_f64()
                    .ok_or_else(|| format!("{at}: `{k}` takes a number"))
            })
            .transpose()
    };
    let count = |k: &str| -> Result<Option<u64>, String> {
        m.get(k)
            .map(|v| {
                v.as_u64()
                    .ok_or_else(|| format!("{at}: `{k}` takes a whole number of at least 0"))
            })
            .transpose()
    };
    s.minimum = num("minimum")?;
    s.maximum = num("maximum")?;
    s.exclusive_minimum = num("exclusiveMinimum")?;
    s.exclusive_maximum = num("exclusiveMaximum")?;
    s.min_length = count("minLength")?;
    s.max_length = count("maxLength")?;
    s.min_items = count("minItems")?;
    s.max_items = count("maxItems")?;
    s.min_properties = count("minProperties")?;
    s.max_properties = count("maxProperties")?;
    s.unique_items = match m.get("uniqueItems") {
        None => false,
        Some(v) => v
            .as_bool()
            .ok_or_else(|| format!("{at}: `uniqueItems` takes true or false"))?,
    };
    Ok(())
}

fn compile_strings(
    s: &mut Schema,
    m: &Map<String, Value>,
    at: &str,
    dialect: Dialect,
) -> Result<(), String> {
    if let Some(p) = m.get("pattern") {
        let text = p
            .as_str()
            .ok_or_else(|| format!("{at}: `pattern` takes a regular expression"))?;
        let re = regex::RegexBuilder::new(text)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| format!("{at}: `pattern` is not a valid regular expression: {e}"))?;
        s.pattern = Some((text.to_owned(), re));
    }
    // In a document, `format` only annotates.
    if let Some(f) = m.get("format")
        && dialect == Dialect::Input
    {
        let name = f.as_str().unwrap_or_default();
        if !FORMATS.contains(&name) {
            return Err(format!(
                "{at}: unknown format {f}; the formats checked are {}",
                FORMATS.join(", ")
            ));
        }
        s.format = Some(name.to_owned());
    }
    Ok(())
}

fn types_of(v: Option<&Value>, at: &str) -> Result<Vec<String>, String> {
    let names: Vec<&Value> = match v {
        None => return Ok(Vec::new()),
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
    };
    names
        .into_iter()
        .map(|n| match n.as_str() {
            Some(t) if TYPES.contains(&t) => Ok(t.to_owned()),
            _ => Err(format!(
                "{at}: `type` {n} is not one of {}",
                TYPES.join(", ")
            )),
        })
        .collect()
}

fn array_of(v: &Value, keyword: &str, at: &str) -> Result<Vec<Value>, String> {
    v.as_array()
        .cloned()
        .ok_or_else(|| format!("{at}: `{keyword}` takes a list"))
}
