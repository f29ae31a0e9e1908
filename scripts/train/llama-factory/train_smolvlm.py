"""Run LLaMA-Factory on a SmolVLM config of this folder, with the SmolVLM chat template and image plugin registered.

LLaMA-Factory (checked at commit ff6d4d1 of 2026-08-18) has neither a SmolVLM/Idefics3 template nor an image plugin
for it, so `llamafactory-cli train` refuses `template: smolvlm`. This launcher registers both, then runs the
config: `python train_smolvlm.py smolvlm_lora_sft.yaml`. Heavy imports live in main(), so --help works without them.
"""

import argparse

TEMPLATE = "smolvlm"
IMAGE_TOKEN = "<image>"


def register_smolvlm():
    from copy import deepcopy

    from llamafactory.data.formatter import EmptyFormatter, StringFormatter
    from llamafactory.data.mm_plugin import BasePlugin, register_mm_plugin
    from llamafactory.data.template import register_template
    from llamafactory.extras.constants import IMAGE_PLACEHOLDER

    class Idefics3Plugin(BasePlugin):
        """One tile per image, as the app sends it: <fake><global-img> + <image> x image_seq_len + <fake>."""

        def _get_mm_inputs(self, images, videos, audios, processor, imglens=None):
            if len(images) == 0:
                return {}
            images = self._regularize_images(images, image_max_pixels=512 * 512, image_min_pixels=32 * 32)["images"]
            return processor.image_processor(images, do_image_splitting=False, return_tensors="pt")

        def process_messages(self, messages, images, videos, audios, processor):
            self._validate_input(processor, images, videos, audios)
            self._validate_messages(messages, images, videos, audios)
            expanded = f"<fake_token_around_image><global-img>{IMAGE_TOKEN * processor.image_seq_len}<fake_token_around_image>"
            messages = deepcopy(messages)
            for message in messages:
                message["content"] = message["content"].replace(IMAGE_PLACEHOLDER, expanded)
            return messages

    register_mm_plugin("idefics3", Idefics3Plugin)
    from llamafactory.data.mm_plugin import get_mm_plugin

    # SmolVLM's own chat template: <|im_start|>User: …<end_of_utterance>\nAssistant: …<end_of_utterance>\n
    register_template(
        name=TEMPLATE,
        format_prefix=EmptyFormatter(slots=["<|im_start|>"]),
        format_user=StringFormatter(slots=["User: {{content}}<end_of_utterance>\nAssistant:"]),
        format_assistant=StringFormatter(slots=[" {{content}}<end_of_utterance>\n"]),
        stop_words=["<end_of_utterance>"],
        mm_plugin=get_mm_plugin(name="idefics3", image_token=IMAGE_TOKEN),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", help="a YAML config of this folder, e.g. smolvlm_lora_sft.yaml")
    args = parser.parse_args(argv)
    import yaml
    from llamafactory.train.tuner import run_exp

    register_smolvlm()
    with open(args.config, encoding="utf-8") as file:
        run_exp(yaml.safe_load(file))


if __name__ == "__main__":
    main()
