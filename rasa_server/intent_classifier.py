"""The Role Guide's intent classifier: n-gram TF-IDF into a linear SVM, as a Rasa 3.6 component.

config.yml names it `rasa_server.intent_classifier.NgramSvmIntentClassifier` (Rasa runs from
the repo root, so this package is importable). It reads the message text itself, so it needs no
featurizer before it:
- features: TF-IDF (sublinear term frequency, each block scaled to unit length) of character
  2-5 grams within word boundaries (typos, plurals) and of word 1-2 grams, scikit-learn's
  `TfidfVectorizer`;
- classifier: scikit-learn's `LinearSVC` (one-vs-rest, squared hinge, C=1);
- confidences: a softmax of the SVM scores divided by one temperature, fitted (least log loss)
  on scores the SVM gave to examples it was not trained on (5-fold cross-validation on the
  training data), so the FallbackClassifier's threshold means something. Dividing by a
  temperature keeps the SVM's ranking of intents.

Every text is first read through the project's one normaliser (reading.normalise.for_reading:
lower case, text-speak expanded, slips in domain words put right by SymSpell), in training and
in use alike; the speller's word list is stored with the model, so a model reads text the same
way wherever it runs.

It also hands each message's intent confidences on as a (dense, sentence-level) feature: Rasa's
CRFEntityExtractor skips every message that carries no feature at all (`features_present`),
though it reads only token-level dense features, so without a featurizer it would tag nothing.
This saves keeping a featurizer in the pipeline only for that. For the same reason it is
registered as a featurizer too, so Rasa passes it the training data before the CRF; there it
adds the feature and leaves the intents alone.

Only arrays and word lists are stored (JSON and an .npz read without pickle), not Python
objects. A message is classified without building scikit-learn's sparse matrices: its n-grams
are counted, weighted and normalised exactly as `TfidfVectorizer.transform` does, and only
the rows of the weight matrix for the n-grams it has are read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from reading.normalise import for_reading
from reading.questions import after_greeting, question_part
from reading.spelling import Speller, content_texts, domain_words

log = logging.getLogger(__name__)

# A hello that says more than hello is read for the rest (see `confidences`).
GREETING_INTENT = "greet"
# What follows a hello that leaves it a hello: "hi, hope you can help", "hello, how are you".
SMALL_TALK = frozenset({GREETING_INTENT, "ask_help", "thank", "goodbye", "bot_challenge"})
# How much a long message's question counts against its story (see `confidences`).
QUESTION_WEIGHT = 0.8
# The content whose words the speller puts slips right to (read from the project root when training).
CONTENT_FOLDER = Path("content")
ROLES_FILE = "roles.yml"
MODEL_FILE = "intent_classifier.json"
ARRAYS_FILE = "intent_classifier.npz"
# Words are runs of letters and digits, single letters included ("i", "a", "2").
WORD_PATTERN = r"(?u)\b\w+\b"


def _vectorizer(analyzer: str, ngrams: list[int], min_df: int = 1) -> TfidfVectorizer:
    """One feature block; training and classification both build theirs here."""
    return TfidfVectorizer(
        min_df=min_df,
        analyzer=analyzer,
        ngram_range=(ngrams[0], ngrams[1]),
        lowercase=True,
        token_pattern=WORD_PATTERN,
        sublinear_tf=True,
        dtype=np.float64,
    )


def _fit_temperature(scores: np.ndarray, label_columns: np.ndarray) -> float:
    """The temperature T for which softmax(scores / T) gives the true labels the least log loss."""

    def log_loss(log_temperature: float) -> float:
        log_probabilities = log_softmax(scores / np.exp(log_temperature), axis=1)
        return float(-log_probabilities[np.arange(len(label_columns)), label_columns].mean())

    return float(np.exp(minimize_scalar(log_loss, bounds=(-5.0, 3.0), method="bounded").x))


def role_names(folder: Path) -> list[str]:
    """Every name and alias of the four roles (content/roles.yml), as the classifier reads text."""
    path = folder / ROLES_FILE
    if not path.is_file():
        return []
    roles = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("roles") or {}
    names = {
        for_reading(name) for role in roles.values() for name in [role["name"], *role.get("aliases", [])]
    }
    return sorted(name for name in names if name)


def _svm_scores(svm: LinearSVC, features: scipy.sparse.csr_matrix) -> np.ndarray:
    """`decision_function`, with a column per intent also when there are only two."""
    scores = svm.decision_function(features)
    return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores


def _svm_weights(svm: LinearSVC) -> tuple[np.ndarray, np.ndarray]:
    """The weights (one row per feature, one column per intent) and intercepts behind `_svm_scores`."""
    coef, intercept = svm.coef_, svm.intercept_
    if coef.shape[0] == 1:
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return np.ascontiguousarray(coef.T), intercept


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=True,
)
class NgramSvmIntentClassifier(GraphComponent, IntentClassifier):
    """Intent classifier: character and word n-gram TF-IDF, a linear SVM and temperature-scaled softmax."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            # [min, max] n-gram lengths; an empty list leaves the block out.
            "char_ngrams": [2, 5],
            "word_ngrams": [1, 2],
            # LinearSVC's inverse regularisation strength.
            "C": 1.0,
            # An n-gram in fewer training examples than this is left out of the features.
            "min_df": 1,
            # Folds of cross-validation whose held-out scores fit the temperature.
            "calibration_folds": 5,
            "random_state": 42,
            "ranking_length": LABEL_RANKING_LENGTH,
            # Intents that describe a person's own story or work; see `confidences`.
            "story_intents": [],
            # Intents that say what the person wants to do ("i want to give feedback"); a question
            # beside one ("what happens to it?") is answered first, as a story's is.
            "wish_intents": [],
            "sure_question": 0.7,
            # A long message read whole as nothing this surely may be read as its question.
            "unsure_whole": 0.5,
            # Questions that are the story's own ("what is that role called?"): never over it.
            "not_over_story": [],
            # Words that name roles in the plural: such a question is not about the story's one role.
            "several_roles": [],
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Any extra python dependencies required for this component to run."""
        return ["sklearn"]

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        self.name = name
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.intents: list[str] = []
        self.speller: Speller | None = None
        self.role_names: list[str] = []
        self.temperature = 1.0
        self.intercept = np.zeros(0)
        # Per feature block: its analyzer, vocabulary, idf weights and its rows of `weights`
        # (one row per feature, one column per intent).
        self._blocks: list[tuple[Callable[[str], list[str]], dict[str, int], np.ndarray, np.ndarray]] = []

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NgramSvmIntentClassifier:
        """Creates a new untrained component (see parent class for full docstring)."""
        return cls(config, execution_context.node_name, model_storage, resource)

    def _block_settings(self) -> list[tuple[str, list[int]]]:
        settings = [("char_wb", self.config["char_ngrams"]), ("word", self.config["word_ngrams"])]
        return [(analyzer, list(ngrams)) for analyzer, ngrams in settings if ngrams]

    def _fit(self, texts: list[str], labels: np.ndarray) -> tuple[list[TfidfVectorizer], LinearSVC]:
        vectorizers = [
            _vectorizer(analyzer, ngrams, self.config["min_df"])
            for analyzer, ngrams in self._block_settings()
        ]
        features = scipy.sparse.hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
        svm = LinearSVC(C=self.config["C"], random_state=self.config["random_state"])
        return vectorizers, svm.fit(features, labels)

    def _held_out_scores(self, texts: list[str], labels: np.ndarray, intents: np.ndarray) -> np.ndarray:
        """SVM scores of each example from a model trained on the other folds (intents as columns)."""
        smallest_intent = int(np.unique(labels, return_counts=True)[1].min())
        folds = StratifiedKFold(
            n_splits=min(self.config["calibration_folds"], smallest_intent),
            shuffle=True,
            random_state=self.config["random_state"],
        )
        scores = np.zeros((len(texts), len(intents)))
        for train, test in folds.split(texts, labels):
            vectorizers, svm = self._fit([texts[i] for i in train], labels[train])
            test_texts = [texts[i] for i in test]
            features = scipy.sparse.hstack([v.transform(test_texts) for v in vectorizers]).tocsr()
            scores[np.ix_(test, np.searchsorted(intents, svm.classes_))] = _svm_scores(svm, features)
        return scores

    def train(self, training_data: TrainingData) -> Resource:
        """Trains the vectorizers and the SVM on the intent examples, then fits the temperature."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        raw_texts = [e.get(TEXT) for e in examples]
        content = content_texts(CONTENT_FOLDER) if CONTENT_FOLDER.is_dir() else []
        self.speller = Speller(domain_words(content, raw_texts))
        self.role_names = role_names(CONTENT_FOLDER)
        texts = [for_reading(text, self.speller) for text in raw_texts]
        labels = np.array([e.get(INTENT) for e in examples])
        intents = np.unique(labels)
        if len(intents) < 2:
            log.warning(f"'{self.name}' needs examples of at least two intents; it was not trained.")
            return self._resource

        vectorizers, svm = self._fit(texts, labels)
        temperature = 1.0
        if self.config["calibration_folds"] >= 2 and np.unique(labels, return_counts=True)[1].min() >= 2:
            held_out = self._held_out_scores(texts, labels, intents)
            temperature = _fit_temperature(held_out, np.searchsorted(intents, labels))
        log.debug(f"'{self.name}': {len(intents)} intents, softmax temperature {temperature:.4f}.")

        self._persist(vectorizers, svm, temperature)
        return self._resource

    def _persist(self, vectorizers: list[TfidfVectorizer], svm: LinearSVC, temperature: float) -> None:
        """Stores the intents, temperature, vocabularies, idf weights and SVM weights."""
        vocabularies = []
        for vectorizer in vectorizers:
            terms = [""] * len(vectorizer.vocabulary_)
            for term, column in vectorizer.vocabulary_.items():
                terms[column] = term
            vocabularies.append(terms)
        model = {
            "intents": [str(intent) for intent in svm.classes_],
            "temperature": temperature,
            "speller_words": self.speller.counts if self.speller else {},
            "role_names": self.role_names,
            "blocks": [
                {"analyzer": analyzer, "ngrams": ngrams, "terms": terms}
                for (analyzer, ngrams), terms in zip(self._block_settings(), vocabularies, strict=True)
            ],
        }
        # Feature-major, so a message's features are whole rows.
        weights, intercept = _svm_weights(svm)
        arrays = {"weights": weights, "intercept": intercept}
        for number, vectorizer in enumerate(vectorizers):
            arrays[f"idf_{number}"] = vectorizer.idf_
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_text(json.dumps(model), encoding="utf-8")
            np.savez(directory / ARRAYS_FILE, **arrays)
        self._use(model, arrays)

    def _use(self, model: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """Gets ready to classify with a trained model."""
        self.intents = model["intents"]
        self.temperature = float(model["temperature"])
        self.speller = Speller(model.get("speller_words") or {})
        self.role_names = list(model.get("role_names") or [])
        self.intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        # Single precision halves the largest array in memory; confidences move by under 1e-6.
        weights = np.asarray(arrays["weights"], dtype=np.float32)
        self._blocks, offset = [], 0
        for number, block in enumerate(model["blocks"]):
            terms = block["terms"]
            analyzer = _vectorizer(block["analyzer"], block["ngrams"]).build_analyzer()
            vocabulary = {term: column for column, term in enumerate(terms)}
            idf = np.asarray(arrays[f"idf_{number}"], dtype=np.float64)
            self._blocks.append((analyzer, vocabulary, idf, weights[offset : offset + len(terms)]))
            offset += len(terms)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> NgramSvmIntentClassifier:
        """Loads the trained component (see parent class for full docstring)."""
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                model = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
                with np.load(directory / ARRAYS_FILE, allow_pickle=False) as stored:
                    arrays = {key: stored[key] for key in stored.files}
        except (ValueError, FileNotFoundError):
            log.debug(f"'{resource.name}' has no trained intent classifier; it will predict nothing.")
            return component
        component._use(model, arrays)
        return component

    def scores(self, text: str) -> np.ndarray:
        """The SVM's score for each intent: what `decision_function` gives, from one message's n-grams."""
        text = for_reading(text, self.speller)
        scores = self.intercept.copy()
        for analyzer, vocabulary, idf, weights in self._blocks:
            counts: dict[int, int] = {}
            for term in analyzer(text):
                column = vocabulary.get(term)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            frequencies = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            values = (1.0 + np.log(frequencies)) * idf[columns]
            values /= np.sqrt(values @ values)
            scores += values @ weights[columns]
        return scores

    def confidences(self, text: str) -> np.ndarray:
        """Each intent's confidence (they sum to 1).

        A long message that tells a story and asks its question in one of its sentences ("my
        mam had a stroke and the hospital asked me to look at their pathway... what does an
        improvement expert do?") reads, whole, as the story (one of `story_intents`), as a wish
        (one of `wish_intents`: "i want to give feedback, what happens to it"), or as
        nothing surely (below `unsure_whole`). When
        that sentence alone is surely something else (at least `sure_question`), the question
        is what the person wants answered: its reading leads, the story's stays behind it.
        A question that asks what the story is (one of `not_over_story`: "whats that role
        called?") stays behind the story, unless it names a role ("what do citizen leaders do?")
        or several (`several_roles`: "can you be more than one of these roles at once?").
        A hello that says more ("hello, i care for my dad, how much time does it take") that
        reads as a hello first is read for what follows the hello, when that reads surely (at
        least `sure_question`) as something other than small talk.
        """
        whole = self._softmax(self.scores(text))
        beyond_hello = after_greeting(text)
        if beyond_hello and self.intents[int(np.argmax(whole))] == GREETING_INTENT:
            rest = self.confidences(beyond_hello)  # "hello, i wanted to ask how much time it takes"
            best_rest = int(np.argmax(rest))  # not "hi, hope you can help", nor "hi. my name is sam"
            if self.intents[best_rest] not in SMALL_TALK and rest[best_rest] >= self.config["sure_question"]:
                return rest
        story_intents = set(self.config["story_intents"])
        leads_to_a_question = story_intents | set(self.config["wish_intents"])
        top = int(np.argmax(whole))
        if self.intents[top] not in leads_to_a_question and whole[top] >= self.config["unsure_whole"]:
            return whole
        asked = question_part(text)
        if asked is None:
            return whole
        question = self._softmax(self.scores(asked))
        best = int(np.argmax(question))
        if question[best] < self.config["sure_question"] or self.intents[best] in story_intents:
            return whole
        if self.intents[best] in self.config["not_over_story"] and not self._names_roles(asked):
            return whole
        return QUESTION_WEIGHT * question + (1 - QUESTION_WEIGHT) * whole

    def _names_roles(self, text: str) -> bool:
        """Whether a question names a role, or roles in the plural ("more than one of these")."""
        words = f" {for_reading(text, self.speller)} "
        names = [*self.role_names, *self.config["several_roles"]]
        return any(f" {name} " in words for name in names)

    def _softmax(self, scores: np.ndarray) -> np.ndarray:
        scaled = scores / self.temperature
        exp = np.exp(scaled - scaled.max())
        return exp / exp.sum()

    def _add_feature(self, message: Message, confidences: np.ndarray) -> None:
        message.add_features(Features(confidences[np.newaxis], FEATURE_TYPE_SENTENCE, TEXT, self.name))

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets the most likely intent, the ranking of intents and the confidences feature on each message."""
        if not self.intents:
            return messages
        ranking_length = self.config["ranking_length"]
        for message in messages:
            confidences = self.confidences(message.get(TEXT) or "")
            order = np.argsort(-confidences, kind="stable")
            if ranking_length > 0:
                order = order[:ranking_length]
            ranking = [{"name": self.intents[i], "confidence": float(confidences[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            self._add_feature(message, confidences)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Adds the confidences feature to the training examples (their intents are left as they are)."""
        if self.intents:
            for message in training_data.training_examples:
                text = message.get(TEXT)
                if text:
                    self._add_feature(message, self.confidences(text))
        return training_data
