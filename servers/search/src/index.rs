//! The search index: tantivy, built in memory from the corpus at start.
//!
//! **Inverted index.** For every word (after *analysis*: split, lower-case, drop stop words
//! such as "the", stem "earnings" to "earn") tantivy keeps the list of documents containing it,
//! with how often and where. A query looks its words up in those lists instead of reading every
//! document, which is why search stays fast as the corpus grows.
//!
//! **BM25 ranking.** Each matching document gets a score that grows with how often a query
//! word appears in it (with diminishing returns), shrinks for long documents, and weighs rare
//! words more than common ones. Matches in the title count double ([`TITLE_BOOST`]).
//!
//! **Filters** (kind, dates, price, rating, publisher) are extra `Must` clauses of a boolean
//! query, so they cut the matches *before* counting and paging: page two of a filtered search
//! is page two of the filtered results, never a page with holes in it.
//!
//! **Why in memory.** A few thousand short documents index in well under a second
//! ([`SearchIndex::build_time`]); keeping them in RAM means no cache directory to invalidate
//! when the corpus or the course pages change (every start reads the current ones), and lets
//! tantivy build without its `mmap` feature.

use crate::corpus::{Doc, Kind};
use crate::query::{self, QueryError};
use crate::snippet;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::ops::Bound;
use std::time::{Duration, Instant};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, TantivyDocument, Term, doc};

/// How much more a match in the title counts than one in the body.
pub const TITLE_BOOST: f32 = 2.0;

/// The name we register our English analyzer under.
const ANALYZER: &str = "en_search";

/// Which documents a search may return, besides matching the query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Only documents of this kind.
    pub kind: Option<Kind>,
    /// News published on or after this day.
    pub since: Option<NaiveDate>,
    /// News published on or before this day.
    pub until: Option<NaiveDate>,
    /// News from this publisher (case-insensitive).
    pub source: Option<String>,
    /// Products costing at most this many dollars.
    pub max_price: Option<f64>,
    /// Products rated at least this.
    pub min_rating: Option<f64>,
}

/// One ranked match.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Position of the document in [`SearchIndex::docs`].
    pub ord: usize,
    /// Its BM25 score (higher is better; only comparable within one query).
    pub score: f32,
    /// The best passage of its body, matched terms in `**bold**`.
    pub snippet: String,
}

/// A page of matches and how many there are in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    /// Every document matching the query and filters.
    pub total: usize,
    /// The requested page, best first.
    pub hits: Vec<Hit>,
}

#[derive(Clone, Copy)]
struct Fields {
    ord: Field,
    kind: Field,
    title: Field,
    body: Field,
    source: Field,
    day: Field,
    price: Field,
    rating: Field,
}

/// The corpus and its tantivy index (immutable once built; share it behind an `Arc`).
pub struct SearchIndex {
    docs: Vec<Doc>,
    by_id: HashMap<String, usize>,
    index: Index,
    reader: IndexReader,
    parser: QueryParser,
    fields: Fields,
    build_time: Duration,
}

impl SearchIndex {
    /// Indexes `docs`. Fails only if tantivy cannot allocate its in-memory index.
    pub fn build(docs: Vec<Doc>) -> tantivy::Result<Self> {
        let started = Instant::now();
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register(ANALYZER, analyzer());
        // One indexing thread makes one segment, so document order (and thus tie-breaking
        // between equal scores, and so pagination) is the same on every start.
        let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
        for (ord, d) in docs.iter().enumerate() {
            let mut tdoc = doc!(
                fields.ord => ord as u64,
                fields.kind => d.kind.as_str(),
                fields.title => d.title.as_str(),
                fields.body => d.body.as_str(),
                fields.source => d.source.to_lowercase(),
            );
            if let Some(date) = d.date {
                tdoc.add_i64(fields.day, day_number(date));
            }
            if let Some(p) = &d.product {
                tdoc.add_f64(fields.price, p.price);
                tdoc.add_f64(fields.rating, p.rating);
            }
            writer.add_document(tdoc)?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        let mut parser = QueryParser::for_index(&index, vec![fields.title, fields.body]);
        parser.set_field_boost(fields.title, TITLE_BOOST);
        let by_id = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.clone(), i))
            .collect();
        Ok(Self {
            docs,
            by_id,
            index,
            reader,
            parser,
            fields,
            build_time: started.elapsed(),
        })
    }

    /// Every document, in index order.
    pub fn docs(&self) -> &[Doc] {
        &self.docs
    }

    /// The document with this id.
    pub fn get(&self, id: &str) -> Option<&Doc> {
        self.by_id.get(id).map(|&i| &self.docs[i])
    }

    /// How long [`build`](Self::build) took.
    pub fn build_time(&self) -> Duration {
        self.build_time
    }

    /// The matches for `query` (tantivy query syntax, checked by [`query::check`]) that pass
    /// `filters`, skipping `offset` and returning at most `limit`. An empty query matches every
    /// document the filters allow.
    pub fn search(
        &self,
        query: &str,
        filters: &Filters,
        offset: usize,
        limit: usize,
    ) -> Result<Hits, QueryError> {
        query::check(query)?;
        let text: Box<dyn Query> = if query.trim().is_empty() {
            Box::new(AllQuery)
        } else {
            self.parser.parse_query(query).map_err(query::explain)?
        };
        let mut clauses = vec![(Occur::Must, text.box_clone())];
        clauses.extend(
            self.filter_clauses(filters)
                .into_iter()
                .map(|q| (Occur::Must, q)),
        );
        let full = BooleanQuery::new(clauses);

        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(limit.max(1))
            .and_offset(offset)
            .order_by_score();
        let (top, total) = searcher
            .search(&full, &(top, Count))
            .map_err(|e| QueryError::Engine(e.to_string()))?;
        let snippets = snippet::Highlighter::new(&searcher, &*text, self.fields.body);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top.into_iter().take(limit) {
            let stored: TantivyDocument = searcher
                .doc(address)
                .map_err(|e| QueryError::Engine(e.to_string()))?;
            let ord = stored
                .get_first(self.fields.ord)
                .and_then(|v| v.as_u64())
                .ok_or_else(|| QueryError::Engine("a document lost its ordinal".into()))?
                as usize;
            let snippet = snippets.snippet(&self.docs[ord].body);
            hits.push(Hit {
                ord,
                score,
                snippet,
            });
        }
        Ok(Hits { total, hits })
    }

    /// The words `text` becomes after analysis, as the inverted index stores them:
    /// `"The Earnings"` → `["earn"]`.
    pub fn analyse(&self, text: &str) -> Vec<String> {
        let mut analyzer = self
            .index
            .tokenizers()
            .get(ANALYZER)
            .unwrap_or_else(analyzer);
        let mut stream = analyzer.token_stream(text);
        let mut words = Vec::new();
        while stream.advance() {
            words.push(stream.token().text.clone());
        }
        words
    }

    fn filter_clauses(&self, f: &Filters) -> Vec<Box<dyn Query>> {
        let fl = self.fields;
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        if let Some(kind) = f.kind {
            let term = Term::from_field_text(fl.kind, kind.as_str());
            out.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
        }
        if f.since.is_some() || f.until.is_some() {
            let bound = |d: Option<NaiveDate>| match d {
                Some(d) => Bound::Included(Term::from_field_i64(fl.day, day_number(d))),
                None => Bound::Unbounded,
            };
            out.push(Box::new(RangeQuery::new(bound(f.since), bound(f.until))));
        }
        if let Some(source) = &f.source {
            let term = Term::from_field_text(fl.source, &source.trim().to_lowercase());
            out.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
        }
        if let Some(max) = f.max_price {
            let upper = Bound::Included(Term::from_field_f64(fl.price, max));
            let lower = Bound::Included(Term::from_field_f64(fl.price, f64::MIN));
            out.push(Box::new(RangeQuery::new(lower, upper)));
        }
        if let Some(min) = f.min_rating {
            let lower = Bound::Included(Term::from_field_f64(fl.rating, min));
            out.push(Box::new(RangeQuery::new(lower, Bound::Unbounded)));
        }
        out
    }
}

/// Days since 0001-01-01: dates as plain integers, which range queries handle natively.
fn day_number(date: NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(date.num_days_from_ce())
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            // Positions make phrase queries ("rate limit") possible.
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        ord: b.add_u64_field("ord", STORED),
        kind: b.add_text_field("kind", STRING),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        source: b.add_text_field("source", STRING),
        day: b.add_i64_field("day", INDEXED | FAST),
        price: b.add_f64_field("price", INDEXED | FAST),
        rating: b.add_f64_field("rating", INDEXED | FAST),
    };
    (b.build(), fields)
}

/// Split on non-alphanumerics, drop 40+-character tokens (junk, not words), lower-case, drop
/// English stop words, stem.
fn analyzer() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser);
    match StopWordFilter::new(Language::English) {
        Some(stop) => builder
            .filter(stop)
            .filter(Stemmer::new(Language::English))
            .build(),
        None => builder.filter(Stemmer::new(Language::English)).build(),
    }
}
