//! Listing every page of a list action: the driver of the pagination kinds in
//! [`crate::paginate`], with what applies to every kind — the loop guard, dropping repeated
//! records, `max_pages` / `max_records`, concurrent pages once the total is known, and a failure
//! part-way that keeps what was delivered.

use futures_util::StreamExt;
use serde_json::{Map, Value};

use crate::connector::{Action, Connector};
use crate::diagnostic::plural;
use crate::error::{Error, ErrorKind, InputViolation, Result};
use crate::execute::{Client, Page, Summary, default_page_size, not_a_list};
use crate::http::CONCURRENCY;
use crate::paginate::{End, Fingerprints, NextPage, Pager, RecentIds};
use crate::plan::Config;
use crate::spec::PaginationStyle;

/// What to do after a page.
enum Step {
    Next(NextPage),
    End(End),
}

/// The state of one listing run.
struct Listing<'a> {
    pager: Pager<'a>,
    summary: Summary,
    seen: Fingerprints,
    /// The cursors and next URLs followed so far: one seen again is a loop.
    positions: std::collections::HashSet<String>,
    ids: Option<RecentIds>,
    /// The largest page the API returned so far.
    honoured: u64,
    max_pages: Option<u64>,
    max_records: Option<u64>,
}

impl Connector {
    /// Runs a list action across every page, calling `on_page` with each page in order, with the
    /// largest page size the style allows (unless the input sets one). With a reported total it
    /// makes no request past it; without one it ends by the style's stop rule
    /// ([`crate::spec::StopRule`]). Once the first page reports a total, the other pages are
    /// fetched `concurrency` at a time (run options; default [`CONCURRENCY`]), still delivered
    /// in order, so memory stays within page size × concurrency.
    ///
    /// Never loses or repeats silently: the offset advances by the page size the API honours; a
    /// page seen before anywhere in the run is an error, not a loop; with the style's
    /// `record_id`, records the page before delivered are dropped and counted
    /// ([`Summary::duplicates`]). `max_pages` and `max_records` bound the run (then
    /// [`Summary::next_input`] goes on from there).
    ///
    /// # Errors
    /// As [`Connector::run`] for the first page; [`ErrorKind::Usage`] for an action without
    /// pagination; [`ErrorKind::Upstream`] when the API returns a page it returned before. A
    /// failure part-way keeps what was delivered: the error says how many records were
    /// delivered and carries the input that resumes from the first missing page
    /// ([`Error::resume_input`]).
    pub async fn run_all(
        &self,
        client: &Client,
        action: &Action,
        input: &Value,
        config: &Config,
        mut on_page: impl FnMut(&Page) -> Result<()>,
    ) -> Result<Summary> {
        let Some(style) = &action.pagination else {
            return Err(not_a_list(action));
        };
        let mut list = Listing::new(action, style, config);
        let mut next = NextPage {
            input: first_input(action, style, input),
            url: None,
        };
        let concurrency = config.options.concurrency.unwrap_or(CONCURRENCY).max(1);
        loop {
            let page = self.fetch(client, action, &next, config).await;
            let page = page.map_err(|e| list.part_way(e, &next))?;
            let first = list.summary.pages == 0;
            let facts = page.facts.clone();
            let after = match list.accept(page, &next, action, &mut on_page)? {
                Step::End(end) => return Ok(list.finish(end)),
                Step::Next(after) => after,
            };
            // Once the first page said how many there are, the rest may be fetched at once.
            let rest = (first && concurrency > 1)
                .then(|| list.pager.remaining(&next.input, &facts, list.honoured))
                .flatten();
            next = after;
            if let Some(rest) = rest {
                let inputs = rest.into_iter().map(|input| NextPage { input, url: None });
                match self
                    .fan_out(
                        client,
                        action,
                        config,
                        inputs.collect(),
                        concurrency,
                        &mut list,
                        &mut on_page,
                    )
                    .await?
                {
                    Step::End(end) => return Ok(list.finish(end)),
                    Step::Next(after) => next = after,
                }
            }
        }
    }

    /// Fetches `pages` `concurrency` at a time and accepts them in order; the step after the
    /// last (the list may have grown meanwhile).
    #[allow(clippy::too_many_arguments)]
    async fn fan_out(
        &self,
        client: &Client,
        action: &Action,
        config: &Config,
        pages: Vec<NextPage>,
        concurrency: usize,
        list: &mut Listing<'_>,
        on_page: &mut impl FnMut(&Page) -> Result<()>,
    ) -> Result<Step> {
        let mut pages = futures_util::stream::iter(pages)
            .map(|next| async move {
                let page = self.fetch(client, action, &next, config).await;
                (next, page)
            })
            .buffered(concurrency);
        let mut step = Step::End(End::Total);
        while let Some((next, page)) = pages.next().await {
            let page = page.map_err(|e| list.part_way(e, &next))?;
            step = list.accept(page, &next, action, on_page)?;
            if matches!(step, Step::End(_)) {
                break;
            }
        }
        Ok(step)
    }

    /// One page: planned from its input, or fetched from its URL.
    async fn fetch(
        &self,
        client: &Client,
        action: &Action,
        next: &NextPage,
        config: &Config,
    ) -> Result<Page> {
        let input = Value::Object(next.input.clone());
        let outcome = self
            .run_at(client, action, &input, next.url.as_deref(), config)
            .await?;
        Ok(outcome.page.unwrap_or_default())
    }
}

/// The first page's input: integers written as floats made integers (before any page
/// arithmetic), and the largest page size unless the input sets one.
fn first_input(action: &Action, style: &PaginationStyle, input: &Value) -> Map<String, Value> {
    let empty = Map::new();
    let given = input.as_object().unwrap_or(&empty);
    let mut violations: Vec<InputViolation> = Vec::new();
    let mut out = crate::plan::normalize_integers(action, given, &mut violations)
        .unwrap_or_else(|| given.clone());
    if !out.contains_key(&style.limit_input) {
        out.insert(style.limit_input.clone(), Value::from(style.max_page_size));
    }
    // Violations are reported by planning the first page.
    out
}

impl<'a> Listing<'a> {
    fn new(action: &'a Action, style: &'a PaginationStyle, config: &Config) -> Listing<'a> {
        Listing {
            pager: Pager::new(style, default_page_size(action, style)),
            summary: Summary::default(),
            seen: Fingerprints::default(),
            positions: std::collections::HashSet::new(),
            ids: style.record_id.as_deref().map(RecentIds::new),
            honoured: 0,
            max_pages: config.options.max_pages,
            max_records: config.options.max_records,
        }
    }

    /// Takes one page fetched as `this` says: guards, drops repeats, applies the bounds, hands
    /// it to `on_page`, and says what comes next.
    fn accept(
        &mut self,
        mut page: Page,
        this: &NextPage,
        action: &Action,
        on_page: &mut impl FnMut(&Page) -> Result<()>,
    ) -> Result<Step> {
        let input = &this.input;
        let n = page.records.len() as u64;
        if !self.seen.first_time(&page.records) {
            return Err(self.loop_error(this, action, "a page it had returned before"));
        }
        self.honoured = self.honoured.max(n);
        let mut facts = page.facts.clone();
        facts.total = facts.total.or(self.summary.total);
        let next = self.pager.next(input, &facts, self.honoured);
        if let Ok(after) = &next
            && let Some(position) = after.url.clone().or_else(|| facts.cursor.clone())
            && !self.positions.insert(position)
        {
            return Err(self.loop_error(this, action, "a next page it had given before"));
        }
        let room = self
            .max_records
            .map_or(u64::MAX, |m| m.saturating_sub(self.summary.records));
        let cut = (n > room).then(|| {
            page.records
                .truncate(usize::try_from(room).unwrap_or(usize::MAX));
            self.pager.cut(this, room)
        });
        if let Some(ids) = &mut self.ids {
            self.summary.duplicates += ids.drop_repeats(&mut page.records);
        }
        self.summary.pages += 1;
        self.summary.records += page.records.len() as u64;
        self.summary.total = facts.total;
        let resumable = self.pager.resumable();
        page.next_input = match (&cut, &next) {
            (Some(c), _) => Some(c.input.clone()),
            (None, Ok(after)) if resumable => Some(after.input.clone()),
            _ => None,
        };
        page.next_url = cut
            .as_ref()
            .or(next.as_ref().ok())
            .and_then(|n| n.url.clone());
        on_page(&page)?;
        let bounded = self.max_pages.is_some_and(|m| self.summary.pages >= m)
            || self.max_records.is_some_and(|m| self.summary.records >= m);
        Ok(match (cut, next) {
            (Some(cut), _) => self.bound(cut),
            (None, Ok(next)) if bounded => self.bound(next),
            (None, Ok(next)) => Step::Next(next),
            (None, Err(end)) => Step::End(end),
        })
    }

    fn bound(&mut self, next: NextPage) -> Step {
        // A next URL without a declared `cursor_input` is the only way on: no input resumes.
        let resumable = next.url.is_none() || self.pager.resumable();
        self.summary.next_url = next.url.clone();
        self.summary.next_input = resumable.then_some(next.input);
        Step::End(End::Bound)
    }

    fn finish(mut self, end: End) -> Summary {
        self.summary.end = Some(end);
        self.summary
    }

    fn loop_error(&self, this: &NextPage, action: &Action, what: &str) -> Error {
        let style = self.pager.offsets.style;
        let at = self.pager.position(&this.input, this.url.as_deref());
        Error::new(
            ErrorKind::Upstream,
            format!("the API returned {what} (at {at}); stopping so as not to loop"),
        )
        .with_hint(format!(
            "check the pagination style's inputs (`{}` is its page size) against the API's documentation",
            style.limit_input
        ))
        .with_action(&action.id)
    }

    /// A failure part-way: what was delivered, and the input that fetches the missing page.
    fn part_way(&self, mut e: Error, this: &NextPage) -> Error {
        let input = &this.input;
        let s = &self.summary;
        if s.pages == 0 {
            return e;
        }
        e.message = format!(
            "{} (page {} failed; {} from {} were delivered)",
            e.message,
            s.pages + 1,
            plural(s.records, "record"),
            plural(s.pages, "page"),
        );
        if this.url.is_some() && !self.pager.resumable() {
            let url = this.url.as_deref().unwrap_or_default();
            e.hint = Some(format!("the failed page is at {url}"));
            return e;
        }
        e.hint = Some(
            "the resume input fetches the failed page again; the pages before it need not be fetched again"
                .to_owned(),
        );
        e.resume_input = Some(Box::new(input.clone()));
        e
    }
}
