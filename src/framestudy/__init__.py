"""framestudy: media-framing annotation studies, from schema to agreement report.

The package follows the study's pipeline; each stage lives in one place:

- :mod:`framestudy.schema`      the framing schema as code -> Label Studio XML, codebook, registry
- :mod:`framestudy.tasks`       articles + outlet metadata -> cleaned Label Studio tasks
- :mod:`framestudy.labelstudio` the Label Studio server, coders, push and pull
- :mod:`framestudy.annotations` Label Studio exports -> the tidy annotation table
- :mod:`framestudy.analysis`    inter-coder agreement and outlet comparison
"""

__version__ = "0.1.0"
