"""Prompt templates for causal LMs, kept as YAML under configs/prompts/.

A template has an `instruction`, a `template` with an `{article}` slot, and optional
few-shot `examples` (article, output). With a tokenizer that has a chat template, the examples
become user/assistant turns; otherwise they are laid out as plain text before the article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eval.base.errors import InputError
from eval.base.io import load_yaml

# configs/prompts, reached through the package (summarizer/prompt_templates is a link to it) so
# that a non-editable install carries the templates too
PROMPTS_DIR = Path(__file__).resolve().parent / "prompt_templates"
DEFAULT_PROMPTS = {"headline": "headline-few-shot", "summary": "summary-few-shot"}


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    task: str
    instruction: str
    template: str
    examples: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    separator: str = "\n\n"
    # Set by trained adapters: the article lead (in tokens) the model saw in training.
    max_article_tokens: int | None = None

    @classmethod
    def load(cls, name_or_path: str | Path) -> PromptTemplate:
        """A name from configs/prompts/ (e.g. 'headline-zero-shot') or a YAML file path."""
        path = Path(name_or_path)
        if path.suffix not in (".yaml", ".yml"):
            path = PROMPTS_DIR / f"{name_or_path}.yaml"
        if not path.exists():
            known = sorted(p.stem for p in PROMPTS_DIR.glob("*.yaml"))
            raise InputError(f"unknown prompt {str(name_or_path)!r}; known: {', '.join(known)}")
        return cls.from_dict(load_yaml(path), name=path.stem, path=path)

    @classmethod
    def from_dict(
        cls, data: dict, name: str = "prompt", path: Path | None = None
    ) -> PromptTemplate:
        """A template from the mapping a prompt YAML file holds (`path`, if any, names it in errors)."""
        for key in ("task", "instruction", "template"):
            if not isinstance(data.get(key), str):
                raise InputError("missing or not a string", path=path, field=key)
        if "{article}" not in data["template"]:
            raise InputError("must contain {article}", path=path, field="template")
        examples = []
        for i, ex in enumerate(data.get("examples") or []):
            if not isinstance(ex, dict) or not {"article", "output"} <= ex.keys():
                raise InputError(
                    "each example needs 'article' and 'output'", path=path, field=f"examples[{i}]"
                )
            examples.append((ex["article"].strip(), ex["output"].strip()))
        return cls(
            data.get("name", name),
            data["task"],
            data["instruction"],
            data["template"],
            tuple(examples),
            data.get("separator", "\n\n"),
            data.get("max_article_tokens"),
        )

    def _fill(self, article: str) -> str:
        # str.replace, not str.format: articles contain braces.
        return self.template.replace("{article}", article)

    def render(self, article: str, tokenizer=None) -> str:
        """The full prompt text for one article (chat-formatted when the tokenizer has a template)."""
        # An empty instruction adds nothing, not a leading blank line: a model trained with
        # `prompt.instruction: ""` saw the template alone (summarizer.train_batches.encode_prompt).
        if tokenizer is not None and getattr(tokenizer, "chat_template", None):

            def instructed(user):
                return f"{self.instruction}\n\n{user}" if self.instruction else user

            messages = []
            for i, (ex_article, ex_output) in enumerate(self.examples):
                user = self._fill(ex_article)
                messages += [
                    {"role": "user", "content": instructed(user) if i == 0 else user},
                    {"role": "assistant", "content": ex_output},
                ]
            user = self._fill(article)
            messages.append(
                {"role": "user", "content": user if self.examples else instructed(user)}
            )
            return tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True
            )
        shots = [f"{self._fill(a)} {o}" for a, o in self.examples]
        return self.separator.join(
            [*([self.instruction] if self.instruction else []), *shots, self._fill(article)]
        )

    def overhead(self, tokenizer) -> int:
        """Tokens the prompt adds around an empty article (used to budget truncation)."""
        return len(tokenizer(self.render("", tokenizer), add_special_tokens=True)["input_ids"])
