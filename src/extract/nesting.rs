//! Finds the innermost of a set of properly nested spans that contains a position.

use crate::model::Span;

/// Spans from one syntax tree (so any two are disjoint or nested), indexed for "innermost at".
pub struct Nesting {
    /// (span, payload index), sorted by start then by widest first.
    spans: Vec<(Span, usize)>,
    parent: Vec<Option<usize>>,
}

impl Nesting {
    pub fn new(mut spans: Vec<(Span, usize)>) -> Self {
        spans.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
        let mut parent = Vec::with_capacity(spans.len());
        let mut stack: Vec<usize> = Vec::new();
        for (i, (span, _)) in spans.iter().enumerate() {
            while let Some(&top) = stack.last() {
                if spans[top].0.contains(*span) {
                    break;
                }
                stack.pop();
            }
            parent.push(stack.last().copied());
            stack.push(i);
        }
        Self { spans, parent }
    }

    /// The payload of the innermost span containing `span`.
    pub fn innermost(&self, span: Span) -> Option<usize> {
        let last = self.spans.partition_point(|(s, _)| s.start <= span.start);
        let mut i = last.checked_sub(1)?;
        loop {
            if self.spans[i].0.contains(span) {
                return Some(self.spans[i].1);
            }
            i = self.parent[i]?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_innermost() {
        let n = Nesting::new(vec![
            (Span::new(0, 100), 0),
            (Span::new(10, 20), 1),
            (Span::new(30, 60), 2),
            (Span::new(40, 50), 3),
        ]);
        assert_eq!(n.innermost(Span::new(5, 6)), Some(0));
        assert_eq!(n.innermost(Span::new(12, 13)), Some(1));
        assert_eq!(n.innermost(Span::new(45, 46)), Some(3));
        assert_eq!(n.innermost(Span::new(55, 56)), Some(2));
        assert_eq!(n.innermost(Span::new(25, 26)), Some(0));
        assert_eq!(n.innermost(Span::new(150, 160)), None);
    }
}
