//! Seed data: realistic, deterministic records for every resource.
//!
//! Each resource's record *shape* comes from the connector: the members of the records in its
//! actions' example responses (with their values as samples), plus the body inputs of its create
//! and update actions (with their types, enums and object properties). Every record found in an
//! example is loaded as it is (completed with generated members), and so is every id an example
//! input names, so that each example runs against the sandbox as documented. The rest are
//! generated from a seed number: names, usernames and emails for people, hostnames and operating
//! systems for devices, samples from the examples for the other members, 24-hex object ids.
//! The same seed gives the same records.

use std::collections::HashSet;

use actionspec_engine::spec::{InputSpec, InputType};
use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::model::{Model, Op, path_params};
use crate::rng::{Rng, hash};
use crate::store::{PartitionKey, Record, Store};

const FIRST_NAMES: &[&str] = &[
    "Ana",
    "Brian",
    "Chloe",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Isabel",
    "James",
    "Kavya",
    "Liam",
    "Maria",
    "Noah",
    "Olivia",
    "Priya",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tara",
    "Umar",
    "Valentina",
    "William",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aisha",
    "Ben",
    "Carlos",
    "Dana",
    "Emeka",
    "Fatima",
    "Gabriel",
    "Hannah",
    "Ivan",
    "Julia",
    "Kenji",
    "Lena",
    "Mateo",
    "Nora",
];
const LAST_NAMES: &[&str] = &[
    "Diaz",
    "Kim",
    "Garcia",
    "Nguyen",
    "Smith",
    "Johnson",
    "Patel",
    "Muller",
    "Rossi",
    "Silva",
    "Okafor",
    "Tanaka",
    "Cohen",
    "Larsen",
    "Novak",
    "Haddad",
    "Kowalski",
    "Fischer",
    "Moreau",
    "Ivanova",
    "Hernandez",
    "Brown",
    "Wilson",
    "Chen",
    "Singh",
    "Ali",
    "Costa",
    "Jensen",
    "Murphy",
    "Walsh",
    "Bauer",
    "Dubois",
    "Yilmaz",
    "Sato",
    "Park",
    "Lopez",
    "Martin",
    "Clark",
    "Reyes",
    "Ortiz",
];
const DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Finance",
    "Sales",
    "Marketing",
    "Support",
    "IT",
    "Operations",
    "Legal",
    "Design",
    "Product",
    "Security",
    "People",
];
const JOB_TITLES: &[&str] = &[
    "Software Engineer",
    "Senior Software Engineer",
    "Engineering Manager",
    "Accountant",
    "Financial Analyst",
    "Account Executive",
    "Sales Manager",
    "Marketing Specialist",
    "Support Engineer",
    "IT Administrator",
    "Operations Manager",
    "Counsel",
    "Product Designer",
    "Product Manager",
    "Security Engineer",
    "People Partner",
];
const CITIES: &[&str] = &[
    "Denver",
    "Boulder",
    "London",
    "Berlin",
    "Austin",
    "Toronto",
    "Bangalore",
    "Sydney",
    "New York",
    "Paris",
    "Madrid",
    "Singapore",
];
const EMPLOYEE_TYPES: &[&str] = &[
    "Full-time",
    "Full-time",
    "Full-time",
    "Part-time",
    "Contractor",
];

/// An operating system: name, version, family.
const SYSTEMS: &[(&str, &str, &str)] = &[
    ("Windows", "11 Pro", "windows"),
    ("Windows", "10 Enterprise", "windows"),
    ("Mac OS X", "14.5", "darwin"),
    ("Mac OS X", "15.1", "darwin"),
    ("Ubuntu", "22.04", "linux"),
    ("Ubuntu", "24.04", "linux"),
];

/// 2023-01-01T00:00:00Z, the earliest generated timestamp.
const EPOCH_2023: i64 = 1_672_531_200;

/// What is known about one member of a resource's records.
#[derive(Debug, Default, Clone)]
struct Field {
    /// Values seen in the examples.
    samples: Vec<Value>,
    /// The body input that writes it, if any.
    input: Option<InputSpec>,
}

/// What kind of thing a record describes, from its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Person,
    Device,
    Other,
}

/// How to make records for one resource.
struct Generator<'a> {
    resource: &'a str,
    id_field: &'a str,
    ids: &'a crate::ids::IdGen,
    fields: IndexMap<String, Field>,
    kind: Kind,
}

/// Per-record values that several members share (a person's name, a device's hostname).
struct Ctx {
    index: usize,
    rng: Rng,
    first: String,
    last: String,
    username: String,
    email: String,
    department: String,
    hostname: String,
    system: (&'static str, &'static str, &'static str),
    created: i64,
}

/// Example records of each resource, by (partition, id), in order of appearance.
type Examples = Vec<IndexMap<(PartitionKey, String), Map<String, Value>>>;

/// Fills a store for `model`: `counts[r]` records for resource `r`.
pub(crate) fn seed(model: &Model, seed: u64, counts: &[usize]) -> Store {
    let examples = example_records(model);
    let mut store = Store::new(model.resources.len());

    // Parents before their nested collections, so that those can be spread over their records.
    let mut order: Vec<usize> = (0..model.resources.len()).collect();
    order.sort_by_key(|&r| depth(model, r));

    for r in order {
        let resource = &model.resources[r];
        let generator = Generator::new(model, r, &examples[r]);
        let count = counts.get(r).copied().unwrap_or(0);
        let mut used: HashSet<String> = HashSet::new();
        let mut ids: HashSet<String> = HashSet::new();
        for ((_, id), rec) in &examples[r] {
            ids.insert(id.clone());
            if let Some(Value::String(u)) = rec.get("username") {
                used.insert(u.clone());
            }
        }
        let mut index = 0usize;
        for ((key, id), rec) in examples[r].iter().take(count) {
            let mut ctx = generator.ctx(seed, index, &mut used, Some(rec));
            let value = generator.complete(rec.clone(), id, &mut ctx);
            store.insert(r, key.clone(), id.clone(), Record::new(value));
            index += 1;
        }
        let keys: Vec<PartitionKey> = if resource.params == 0 {
            vec![Vec::new()]
        } else {
            let mut keys: Vec<PartitionKey> = match resource.parent {
                Some(p) => store
                    .ids(p)
                    .into_iter()
                    .map(|(mut k, id)| {
                        k.push(id);
                        k
                    })
                    .filter(|k| k.len() == resource.params)
                    .collect(),
                None => Vec::new(),
            };
            if keys.is_empty() {
                for (key, _) in examples[r].keys() {
                    if !keys.contains(key) {
                        keys.push(key.clone());
                    }
                }
            }
            keys
        };
        if keys.is_empty() {
            continue;
        }
        let mut n = 0usize;
        while index < count {
            let mut ctx = generator.ctx(seed, index, &mut used, None);
            let mut id = resource.ids.generate(&mut ctx.rng);
            while ids.contains(&id) {
                id = resource.ids.generate(&mut ctx.rng);
            }
            ids.insert(id.clone());
            let value = generator.complete(Map::new(), &id, &mut ctx);
            let key = keys[n % keys.len()].clone();
            store.insert(r, key, id, Record::new(value));
            n += 1;
            index += 1;
        }
    }
    store
}

/// How many parents a resource has above it.
fn depth(model: &Model, mut r: usize) -> usize {
    let mut d = 0;
    while let Some(p) = model.resources.get(r).and_then(|x| x.parent) {
        d += 1;
        r = p;
        if d > model.resources.len() {
            break;
        }
    }
    d
}

/// The value of a path parameter in an example input, as text.
fn param_text(input: &Map<String, Value>, id: &str) -> Option<String> {
    match input.get(id)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A record id member as text: a string, or an integer.
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// Every record the examples show or name, per resource.
fn example_records(model: &Model) -> Examples {
    let mut out: Examples = vec![IndexMap::new(); model.resources.len()];
    for route in &model.routes {
        for example in &route.examples {
            let params: Vec<Option<String>> = path_params(&route.segs)
                .into_iter()
                .map(|p| param_text(&example.input, p))
                .collect();
            if params.iter().any(Option::is_none) {
                continue;
            }
            let params: Vec<String> = params.into_iter().flatten().collect();
            if let Some(r) = route.resource {
                shown_records(model, route, example, &params, r, &mut out);
            }
            // So does the record its path prefix names, and every record it references.
            let named = |out: &mut Examples, r: usize, key: PartitionKey, id: String| {
                let res = &model.resources[r];
                let mut obj = Map::new();
                obj.insert(res.id_field.clone(), res.ids.value(&id));
                add_record(out, r, key, id, obj);
            };
            if let Some(parent) = route.parent {
                let n = parent.len;
                if n >= 1 && n <= params.len() {
                    let key = params[..n - 1].to_vec();
                    named(&mut out, parent.resource, key, params[n - 1].clone());
                }
            }
            for (input, r) in &route.references {
                for id in strings_of(example.input.get(input)) {
                    named(&mut out, *r, Vec::new(), id);
                }
            }
        }
    }
    out
}

/// Adds an example record, completing one already seen with the members it lacks.
fn add_record(
    out: &mut Examples,
    r: usize,
    key: PartitionKey,
    id: String,
    rec: Map<String, Value>,
) {
    let slot = out[r].entry((key, id)).or_default();
    for (k, v) in rec {
        slot.entry(k).or_insert(v);
    }
}

/// The records one example of a resource's action shows (its list page, or the record of its
/// response, at `wrap`), and the record its id input names.
fn shown_records(
    model: &Model,
    route: &crate::model::Route,
    example: &actionspec_engine::spec::Example,
    params: &[String],
    r: usize,
    out: &mut Examples,
) {
    let res = &model.resources[r];
    let key = params[..res.params.min(params.len())].to_vec();
    let named_id = route
        .id_input
        .as_deref()
        .filter(|_| route.op.is_item())
        .and_then(|input| param_text(&example.input, input));
    let body = example.response.as_ref().and_then(|r| r.body.as_ref());
    let record = match (&route.wrap, body) {
        (Some(p), Some(b)) => b.pointer(p),
        _ => body,
    };
    let shown: Vec<&Value> = match (route.op, body, &route.style) {
        (Op::List, Some(b), Some(style)) => b
            .pointer(&style.records)
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        (Op::Get | Op::Update { .. } | Op::Delete | Op::Create, Some(_), _)
            if route.reply.is_none() =>
        {
            record.into_iter().collect()
        }
        _ => Vec::new(),
    };
    for rec in shown {
        let Some(obj) = rec.as_object() else { continue };
        let id = obj
            .get(&res.id_field)
            .and_then(id_text)
            .or_else(|| named_id.clone());
        if let Some(id) = id {
            let mut obj = obj.clone();
            obj.insert(res.id_field.clone(), res.ids.value(&id));
            add_record(out, r, key.clone(), id, obj);
        }
    }
    // The record an item example names exists.
    if let Some(id) = named_id {
        let mut obj = Map::new();
        obj.insert(res.id_field.clone(), res.ids.value(&id));
        add_record(out, r, key, id, obj);
    }
}

impl<'a> Generator<'a> {
    fn new(
        model: &'a Model,
        r: usize,
        examples: &IndexMap<(PartitionKey, String), Map<String, Value>>,
    ) -> Generator<'a> {
        let resource = &model.resources[r];
        let mut fields: IndexMap<String, Field> = IndexMap::new();
        fields.insert(resource.id_field.clone(), Field::default());
        for rec in examples.values() {
            for (k, v) in rec {
                fields.entry(k.clone()).or_default().samples.push(v.clone());
            }
        }
        for route in model.routes.iter().filter(|rt| rt.resource == Some(r)) {
            if !matches!(route.op, Op::Create | Op::Update { .. }) || route.templated_body {
                continue;
            }
            for b in &route.body_inputs {
                let Some(spec) = route.inputs.get(&b.id) else {
                    continue;
                };
                if spec.sensitive || b.wire == resource.id_field {
                    continue;
                }
                let f = fields.entry(b.wire.clone()).or_default();
                if f.input.is_none() {
                    f.input = Some(spec.clone());
                }
            }
        }
        let has = |k: &str| fields.contains_key(k);
        let kind = if has("username") || (has("firstname") && has("lastname")) {
            Kind::Person
        } else if has("hostname") {
            Kind::Device
        } else {
            Kind::Other
        };
        Generator {
            resource: &resource.name,
            id_field: &resource.id_field,
            ids: &resource.ids,
            fields,
            kind,
        }
    }

    /// The shared values of record `index`, taken from `existing` where it has them.
    fn ctx(
        &self,
        seed: u64,
        index: usize,
        used: &mut HashSet<String>,
        existing: Option<&Map<String, Value>>,
    ) -> Ctx {
        let mut rng = Rng::of(&[seed, hash(self.resource), index as u64]);
        let get = |k: &str| {
            existing
                .and_then(|e| e.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let first = get("firstname").unwrap_or_else(|| (*rng.pick(FIRST_NAMES, &"Ana")).to_owned());
        let last = get("lastname").unwrap_or_else(|| (*rng.pick(LAST_NAMES, &"Diaz")).to_owned());
        let username = match get("username") {
            Some(u) => u,
            None if self.kind == Kind::Person => {
                let base =
                    format!("{}{}", first.chars().next().unwrap_or('x'), last).to_lowercase();
                let mut name = base.clone();
                let mut n = 2;
                while used.contains(&name) {
                    name = format!("{base}{n}");
                    n += 1;
                }
                used.insert(name.clone());
                name
            }
            None => String::new(),
        };
        let email = get("email").unwrap_or_else(|| format!("{username}@example.com"));
        let department =
            get("department").unwrap_or_else(|| (*rng.pick(DEPARTMENTS, &"IT")).to_owned());
        let system = *rng.pick(SYSTEMS, &SYSTEMS[0]);
        let hostname = get("hostname").unwrap_or_else(|| {
            let kind = match system.2 {
                "linux" => "SRV",
                _ if rng.chance(0.7) => "LT",
                _ => "WS",
            };
            let dept: String = department
                .chars()
                .filter(char::is_ascii_alphabetic)
                .take(3)
                .collect::<String>()
                .to_uppercase();
            format!("{dept}-{kind}-{:03}", index + 1)
        });
        let created = EPOCH_2023 + (rng.below(2 * 365 * 86_400)) as i64;
        Ctx {
            index,
            rng,
            first,
            last,
            username,
            email,
            department,
            hostname,
            system,
            created,
        }
    }

    /// `record` with every member of the shape it lacks, generated, and the id member set.
    fn complete(
        &self,
        mut record: Map<String, Value>,
        id: &str,
        ctx: &mut Ctx,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert(self.id_field.to_owned(), self.ids.value(id));
        for (name, field) in &self.fields {
            if name == self.id_field {
                continue;
            }
            let v = match record.remove(name) {
                Some(v) => v,
                None => self.value(name, field, ctx),
            };
            out.insert(name.clone(), v);
        }
        // Members only this record has (not in the shape) keep their place at the end.
        for (k, v) in record {
            if k != self.id_field {
                out.insert(k, v);
            }
        }
        out
    }

    /// A value for a member whose name says what it holds (a person's name and email, a
    /// device's hostname, a serial number, …); `None` for any other member.
    fn by_name(&self, key: &str, field: &Field, ctx: &mut Ctx) -> Option<Value> {
        let person = self.kind == Kind::Person;
        let device = self.kind == Kind::Device;
        Some(match key {
            "username" if person => Value::from(ctx.username.clone()),
            "email" if person => Value::from(ctx.email.clone()),
            "alternateemail" if person => Value::from(format!(
                "{}.{}@personal.example.net",
                ctx.first.to_lowercase(),
                ctx.last.to_lowercase()
            )),
            "firstname" | "givenname" if person => Value::from(ctx.first.clone()),
            "lastname" | "familyname" | "surname" if person => Value::from(ctx.last.clone()),
            "middlename" if person => Value::from(""),
            "displayname" | "fullname" if person => {
                Value::from(format!("{} {}", ctx.first, ctx.last))
            }
            "displayname" if device => Value::from(ctx.hostname.clone()),
            "hostname" => Value::from(ctx.hostname.clone()),
            "os" if device => Value::from(ctx.system.0),
            "version" if device => Value::from(ctx.system.1),
            "osfamily" if device => Value::from(ctx.system.2),
            "arch" if device => Value::from(if ctx.system.2 == "darwin" {
                "arm64"
            } else {
                "x86_64"
            }),
            "serialnumber" => {
                let s: String = (0..10)
                    .map(|_| {
                        let c = ctx.rng.below(36) as u8;
                        char::from(if c < 10 { b'0' + c } else { b'A' + c - 10 })
                    })
                    .collect();
                Value::from(s)
            }
            "department" => Value::from(ctx.department.clone()),
            "jobtitle" | "title" if person => Value::from(*ctx.rng.pick(JOB_TITLES, &"Engineer")),
            "company" => Value::from("Example Corp"),
            "location" if person => Value::from(*ctx.rng.pick(CITIES, &"Denver")),
            "costcenter" => Value::from(format!("CC-{}", 1000 + ctx.rng.below(900))),
            "employeeidentifier" => Value::from(format!("E{:05}", 10_000 + ctx.index)),
            "employeetype" => Value::from(*ctx.rng.pick(EMPLOYEE_TYPES, &"Full-time")),
            "unixuid" | "unixguid" | "uid" | "gid" => Value::from(5000 + ctx.index),
            "phonenumbers" if field.samples.is_empty() && person => {
                json!([{ "number": format!("+1 303 555 {:04}", ctx.rng.below(10_000)), "type": "mobile" }])
            }
            "addresses" if field.samples.is_empty() && person => {
                let city = *ctx.rng.pick(CITIES, &"Denver");
                json!([{
                    "type": "work",
                    "streetAddress": format!("{} Market Street", 100 + ctx.rng.below(900)),
                    "locality": city,
                    "postalCode": format!("{:05}", 10_000 + ctx.rng.below(89_999)),
                    "country": "US"
                }])
            }
            _ => return None,
        })
    }

    /// A generated value for member `name`.
    fn value(&self, name: &str, field: &Field, ctx: &mut Ctx) -> Value {
        let key: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(v) = self.by_name(&key, field, ctx) {
            return v;
        }
        if is_time(name, &field.samples) {
            let millis = field
                .samples
                .iter()
                .filter_map(Value::as_str)
                .any(|s| s.contains('.'));
            let secs = if key == "created" || key == "createdat" {
                ctx.created
            } else {
                ctx.created + ctx.rng.below(300 * 86_400) as i64
            };
            return Value::from(timestamp(secs, millis));
        }
        let textual = field
            .input
            .as_ref()
            .is_none_or(|i| i.kind == InputType::String)
            && field.samples.iter().all(Value::is_string);
        if textual && matches!(key.as_str(), "name" | "displayname" | "displaylabel") {
            return Value::from(self.label(name, ctx.index));
        }
        if textual && key.contains("email") {
            let slug: String = self
                .label("name", ctx.index)
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            return Value::from(format!("{}@example.com", slug.trim_matches('-')));
        }
        if !field.samples.is_empty() {
            let sample = ctx.rng.pick(&field.samples, &Value::Null).clone();
            if let Value::String(s) = &sample
                && s.parse::<std::net::IpAddr>().is_ok()
            {
                return Value::from(format!("203.0.113.{}", 1 + ctx.rng.below(254)));
            }
            return sample;
        }
        match &field.input {
            Some(input) => Self::input_value(input, ctx),
            None => Value::Null,
        }
    }

    /// A value of an input's type, within what the input declares (see [`schema_value`]).
    fn input_value(input: &InputSpec, ctx: &mut Ctx) -> Value {
        let schema = actionspec_engine::schema::input_property_schema(input);
        schema_value("", &schema, ctx, 0)
    }

    /// A display name for record `index`: the examples' values first, then numbered variants
    /// of them ("Engineering 2"), or "<resource> <n>" without samples.
    fn label(&self, name: &str, index: usize) -> String {
        let samples: Vec<&str> = self
            .fields
            .get(name)
            .map(|f| f.samples.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if samples.is_empty() {
            let mut title = String::new();
            let mut chars = self.resource.chars();
            if let Some(c) = chars.next() {
                title.extend(c.to_uppercase());
                title.push_str(chars.as_str());
            }
            return format!("{title} {}", index + 1);
        }
        let base = samples[index % samples.len()];
        if index < samples.len() {
            base.to_owned()
        } else {
            format!("{base} {}", index / samples.len() + 1)
        }
    }
}

/// A value a JSON Schema (an input's, or one of its properties') accepts: its `const`, one of
/// its `enum`, a `date-time`/`date`/`email`/`uri`/`uuid` of that format, a number at its
/// `minimum` (else 0, kept under `maximum`), `false`, `[]`, an object of its `properties` built
/// the same way, a string of `minLength` characters (else empty). A value outside the schema
/// would be a seed the vendor's API never returns.
fn schema_value(name: &str, schema: &Value, ctx: &mut Ctx, depth: usize) -> Value {
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    if let Some(values) = schema
        .get("enum")
        .and_then(Value::as_array)
        .filter(|v| !v.is_empty())
    {
        return ctx.rng.pick(values, &Value::Null).clone();
    }
    let kind = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("string"),
        _ => "string",
    };
    let bound = |k: &str| schema.get(k).and_then(Value::as_f64);
    match kind {
        "boolean" => Value::Bool(false),
        "integer" | "number" => {
            let n = bound("minimum").unwrap_or(0.0).max(0.0);
            let n = bound("maximum").map_or(n, |m| n.min(m));
            if kind == "integer" && n.fract() == 0.0 && n.abs() < 9.0e15 {
                #[allow(clippy::cast_possible_truncation)]
                Value::from(n as i64)
            } else {
                serde_json::Number::from_f64(n).map_or(Value::from(0), Value::Number)
            }
        }
        "array" => Value::Array(Vec::new()),
        "object" => {
            let mut obj = Map::new();
            let properties = schema.get("properties").and_then(Value::as_object);
            for (member, inner) in properties.into_iter().flatten() {
                if depth < 8 {
                    obj.insert(member.clone(), schema_value(member, inner, ctx, depth + 1));
                }
            }
            Value::Object(obj)
        }
        _ => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => Value::from(timestamp(ctx.created, false)),
            Some("date") => {
                let stamp = timestamp(ctx.created, false);
                Value::from(stamp.get(..10).unwrap_or(&stamp).to_owned())
            }
            Some("email") if ctx.username.is_empty() => {
                Value::from(format!("contact{}@example.com", ctx.index + 1))
            }
            Some("email") => Value::from(ctx.email.clone()),
            Some("uri") => Value::from(format!("https://example.com/{}", ctx.index + 1)),
            Some("uuid") => Value::from(format!("00000000-0000-4000-8000-{:012x}", ctx.index + 1)),
            _ if is_time(name, &[]) => Value::from(timestamp(ctx.created, false)),
            _ => {
                let min = bound("minLength").unwrap_or(0.0);
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Value::from("x".repeat(min.clamp(0.0, 64.0) as usize))
            }
        },
    }
}

/// Whether a member holds a timestamp: by its name (`created`, `…At`, `…Time`, `…Date`,
/// `lastContact`) or its samples (RFC 3339 text).
fn is_time(name: &str, samples: &[Value]) -> bool {
    let lower = name.to_ascii_lowercase();
    let by_name = name.ends_with("At")
        || lower.ends_with("_at")
        || lower.ends_with("time")
        || lower.ends_with("date")
        || matches!(
            lower.as_str(),
            "created" | "updated" | "lastcontact" | "lastlogin"
        );
    let by_sample = samples
        .iter()
        .filter_map(Value::as_str)
        .any(looks_like_time);
    (by_name && samples.iter().all(|s| s.is_string() || s.is_null())) || by_sample
}

/// `2024-07-24T09:15:02Z` and the like.
pub(crate) fn looks_like_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
}

/// RFC 3339 UTC text for Unix seconds (`2024-07-24T09:15:02Z`, or with `.000` milliseconds).
pub(crate) fn timestamp(secs: i64, millis: bool) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        if millis { ".000" } else { "" }
    )
}

/// The string or integer, or those of an array (ids an input refers to).
pub(crate) fn strings_of(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(id_text).collect(),
        Some(v) => id_text(v).into_iter().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc_3339() {
        assert_eq!(timestamp(0, false), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(EPOCH_2023, true), "2023-01-01T00:00:00.000Z");
        assert_eq!(timestamp(1_721_812_502, false), "2024-07-24T09:15:02Z");
        assert!(looks_like_time("2024-07-24T09:15:02Z"));
        assert!(!looks_like_time("Engineering"));
    }
}
