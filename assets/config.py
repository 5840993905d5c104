"""Run configuration of every asset, in one place (Dagster `Config` classes; presets live in orchestration)."""

from __future__ import annotations

from dagster import Config
from pydantic import Field

from assets.catalog.metrics import MetricsSettings
from assets.distillation.bullets_retries import DEFAULT_ATTEMPTS
from assets.distillation.student_presets import preset_default


class ProductsConfig(Config):
    """Where the catalogue CSV is read from; empty means `<data_dir>/products_all.csv`."""

    csv_path: str = Field(default="", description="Path of products_all.csv (UTF-8, UTF-8 BOM or CP949).")


class CategoryMetricsConfig(Config):
    """Top-list sizes and the thresholds that define a promising segment (defaults: `MetricsSettings`)."""

    top_brands: int = MetricsSettings.top_brands
    top_channels: int = MetricsSettings.top_channels
    top_keywords: int = MetricsSettings.top_keywords
    segment_min_products: int = MetricsSettings.segment_min_products
    segment_min_share: float = MetricsSettings.segment_min_share
    segment_max_share: float = MetricsSettings.segment_max_share
    segment_rating_slack: float = MetricsSettings.segment_rating_slack

    def settings(self) -> MetricsSettings:
        """The pure-logic settings these run-config values stand for."""
        return MetricsSettings(**self.model_dump())


class ChunksConfig(Config):
    """Chunking budget, in Kiwi morphemes."""

    max_tokens: int = Field(default=256, description="Largest chunk, in Kiwi morphemes.")
    overlap_tokens: int = Field(
        default=48, description="Trailing sentences of the previous chunk repeated, up to this many morphemes."
    )


class RetrievalEvalConfig(Config):
    """Cut-offs reported by retrieval_eval."""

    ks: list[int] = Field(default=[1, 3, 5, 10], description="Cut-offs for recall@k.")


class SyntheticQuestionsConfig(Config):
    """Question generation per document (who writes them is the `question_generator` resource)."""

    per_chunk: int = Field(default=2, ge=1, description="Questions taken from each chunk; the six types rotate.")
    near_duplicate_threshold: float = Field(
        default=0.8, gt=0, le=1, description="Morpheme Jaccard at or above which a question is a near-duplicate."
    )
    seed: int = Field(default=0, ge=0, description="Seed of the type rotation and sampling.")


class TeacherAnswersConfig(Config):
    """How many retrieved contexts the teacher (the `teacher` resource) answers from, in what batches."""

    k: int = Field(default=3, ge=1, description="Contexts given to the teacher per question.")
    fusion: str = Field(default="", description="Retrieval mode; empty = the retriever's measured default.")
    batch_size: int = Field(default=16, ge=1, description="Questions per checkpointed batch.")
    max_new_tokens: int = Field(default=256, ge=1, description="Generation budget for an hf teacher.")
    shape_by_type: bool = Field(
        default=True,
        description="Answer each question in the shape of its given type (the extractive teacher's per-type "
        "sentence selection, the per-type answer guide in an hf teacher's prompt); False: one shape for all.",
    )


# ---------------------------------------------------------------- the student (sft_dataset → champion_model)


class SftDatasetConfig(Config):
    """How the student's chat examples are built and split (the builders are `assets.distillation.sft_tasks`)."""

    bullets_seeds: int = Field(
        default=preset_default("sft_dataset", "bullets_seeds", 120),
        ge=0,
        description="Generated catalogues (generator seeds 1..N, 16 categories each) for bullets.",
    )
    qa_contexts: int = Field(
        default=preset_default("sft_dataset", "qa_contexts", 2),
        ge=1,
        description="Retrieved contexts in each QA prompt.",
    )
    validation_share: float = Field(
        default=preset_default("sft_dataset", "validation_share", 0.1),
        ge=0,
        lt=0.5,
        description="Share of groups in validation.",
    )
    test_share: float = Field(
        default=preset_default("sft_dataset", "test_share", 0.1), ge=0, lt=0.5, description="Share of groups in test."
    )
    split_seed: int = Field(
        default=preset_default("sft_dataset", "split_seed", 0), ge=0, description="Seed of the group → split hash."
    )
    max_tokens: int = Field(
        default=512, ge=16, description="Budget the statistics count examples over (in Kiwi morphemes, a proxy)."
    )
    length_sample_per_task: int = Field(
        default=preset_default("sft_dataset", "length_sample_per_task", 300),
        ge=1,
        description="Examples per task whose Kiwi token lengths are counted for the statistics.",
    )
    samples_per_task: int = Field(
        default=preset_default("sft_dataset", "samples_per_task", 3),
        ge=0,
        description="Random examples per task shown in metadata.",
    )


class StudentModelConfig(Config):
    """One student training run (fields of `resources.student.config.StudentTrainingConfig`); presets in
    `assets/distillation/student_presets.py` (demo = these defaults, ci = a few steps)."""

    base: str = Field(
        default=preset_default("student_model", "base", "builtin:tiny"),
        description="builtin:tiny or a local Hugging Face causal-LM folder.",
    )
    method: str = Field(
        default=preset_default("student_model", "method", "auto"),
        description="full | lora | qlora | auto (full for builtin, else lora).",
    )
    distillation: str = Field(
        default=preset_default("student_model", "distillation", "sft"),
        description="sft | gkd | distillm2 (the last two need teacher_path).",
    )
    teacher_path: str = Field(
        default=preset_default("student_model", "teacher_path", ""),
        description="HF teacher folder sharing the student's tokenizer.",
    )
    pretrain_steps: int = Field(
        default=preset_default("student_model", "pretrain_steps", -1),
        description="Next-token steps on the chunks (builtin); -1 = default.",
    )
    sft_steps: int = Field(
        default=preset_default("student_model", "sft_steps", -1),
        description="SFT optimisation steps; -1 = the trainer's default.",
    )
    batch_size: int = Field(
        default=preset_default("student_model", "batch_size", -1), description="Examples per step; -1 = default."
    )
    max_length: int = Field(
        default=preset_default("student_model", "max_length", -1), description="Tokens per example; -1 = default."
    )
    learning_rate: float = Field(
        default=preset_default("student_model", "learning_rate", -1.0),
        description="-1 = the method's default (builtin 2e-3, LoRA 1e-4).",
    )
    seed: int = Field(
        default=preset_default("student_model", "seed", 0),
        ge=0,
        description="Seed of initialisation, data order and sampling.",
    )
    lora_r: int = Field(default=preset_default("student_model", "lora_r", 16), ge=1)
    lora_alpha: int = Field(default=preset_default("student_model", "lora_alpha", 32), ge=1)
    lora_dropout: float = Field(default=preset_default("student_model", "lora_dropout", 0.1), ge=0, lt=1)
    gradient_checkpointing: bool = Field(default=preset_default("student_model", "gradient_checkpointing", False))
    hidden_size: int = Field(
        default=preset_default("student_model", "hidden_size", -1), description="Builtin width; -1 = default."
    )
    num_layers: int = Field(
        default=preset_default("student_model", "num_layers", -1), description="Builtin depth; -1 = default."
    )
    num_heads: int = Field(
        default=preset_default("student_model", "num_heads", -1), description="Builtin attention heads; -1 = default."
    )
    vocab_size: int = Field(
        default=preset_default("student_model", "vocab_size", -1), description="Builtin BPE vocabulary; -1 = default."
    )
    copy_warmup_steps: int = Field(
        default=preset_default("student_model", "copy_warmup_steps", -1),
        description="Builtin copy-curriculum batches before SFT (random tokens repeated once); -1 = default.",
    )
    copy_every: int = Field(
        default=preset_default("student_model", "copy_every", -1),
        description="One copy batch after every N SFT batches (builtin; 0 = none); -1 = default.",
    )
    qa_share: float = Field(
        default=preset_default("student_model", "qa_share", -1.0),
        description="Share of QA batches inside the QA window (0-1, the rest the other tasks' batches); -1 = default.",
    )
    qa_window_start: float = Field(
        default=preset_default("student_model", "qa_window_start", -1.0),
        description="Fraction of the SFT steps where the QA window starts (outside it batches mix the tasks as "
        "the examples fall; start = end: no window); -1 = default.",
    )
    qa_window_end: float = Field(
        default=preset_default("student_model", "qa_window_end", -1.0),
        description="Fraction of the SFT steps where the QA window ends; -1 = default.",
    )


class StudentEvaluationConfig(Config):
    """Test-split evaluation budget (examples are a seeded sample of the test split)."""

    max_qa_examples: int = Field(
        default=preset_default("student_evaluation", "max_qa_examples", 60),
        ge=1,
        description="QA test examples evaluated.",
    )
    max_bullets_examples: int = Field(
        default=preset_default("student_evaluation", "max_bullets_examples", 24),
        ge=1,
        description="Bullets test categories evaluated.",
    )
    qa_max_new_tokens: int = Field(
        default=preset_default("student_evaluation", "qa_max_new_tokens", 96),
        ge=1,
        description="Generation budget of a QA answer.",
    )
    bullets_max_new_tokens: int = Field(
        default=preset_default("student_evaluation", "bullets_max_new_tokens", 420),
        ge=1,
        description="Generation budget of a bullets object.",
    )
    seed: int = Field(
        default=preset_default("student_evaluation", "seed", 0), ge=0, description="Seed of the test sample."
    )
    copy_from_prompt: bool = Field(
        default=preset_default("student_evaluation", "copy_from_prompt", True),
        description="Decode models' bullets copying from the prompt (each number, and each name and reading the "
        "prompt lists, copied from the place in the prompt whose preceding words match what was written), as "
        "report_bullets does by default; the new student's free decoding is shown too. On by default "
        "(docs/benchmarks.md, 'Copying names and readings').",
    )
    bullets_attempts: int = Field(
        default=preset_default("student_evaluation", "bullets_attempts", DEFAULT_ATTEMPTS),
        ge=1,
        description="Attempts per bullets category of the new student and the champion, as report_bullets makes "
        "them: greedy first, then sampled retries while the output fails the blocking check (docs/benchmarks.md, "
        "'Retrying failed bullets'); the untrained student gets its first attempt only.",
    )


class ChampionConfig(Config):
    """The promotion gate and artifact retention."""

    margin: float = Field(
        default=preset_default("champion_model", "margin", 0.05),
        ge=0,
        description="Relative improvement over the champion needed (0.05 = 5%).",
    )
    floor: float = Field(
        default=preset_default("champion_model", "floor", 0.2),
        ge=0,
        le=1,
        description="Score the first champion must reach.",
    )
    keep_versions: int = Field(
        default=preset_default("champion_model", "keep_versions", 3),
        ge=1,
        description="Newest versions whose artifacts are kept (+ aliased).",
    )


class ReportBulletsConfig(Config):
    """Who writes the bullets: the MLflow champion (template per category when invalid), a model folder, or nobody."""

    model: str = Field(
        default=preset_default("report_bullets", "model", "champion"),
        description="'champion', 'template', or a local student model folder.",
    )
    max_new_tokens: int = Field(
        default=preset_default("report_bullets", "max_new_tokens", 420),
        ge=1,
        description="Generation budget per category.",
    )
    copy_from_prompt: bool = Field(
        default=preset_default("report_bullets", "copy_from_prompt", True),
        description="Decode copying from the prompt: each number, and each name and reading the prompt lists, is "
        "copied from the place in the prompt whose preceding words match what the model just wrote "
        "(docs/benchmarks.md, 'Copying names and readings').",
    )
    attempts: int = Field(
        default=preset_default("report_bullets", "attempts", DEFAULT_ATTEMPTS),
        ge=1,
        description="Attempts per category before the template takes over: greedy first, then retries sampled at "
        "a fixed seed each (reproducible) while the output fails the blocking check; 1 = greedy only.",
    )
