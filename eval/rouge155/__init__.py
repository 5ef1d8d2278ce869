"""ROUGE-1.5.5-compatible scoring without Perl: `Rouge155(args).score(peer_lines, models)`."""

from eval.rouge155.perl_average import PerlAverage, perl_average
from eval.rouge155.scorer import Rouge155
from eval.rouge155.see import RougeEval, read_rouge_config, read_see

__all__ = ["Rouge155", "PerlAverage", "perl_average", "RougeEval", "read_rouge_config", "read_see"]
