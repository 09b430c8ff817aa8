# Every target is a one-liner shared by developers and CI; the work lives in scripts/.
.PHONY: bootstrap dev test screenshots lint fmt proto proto-check api-examples constraints image-requirements images bench infra-up infra-down nlu-train nlu-eval backup restore dr-drill

bootstrap:  ## create .venv and install every package (pinned)
	bash scripts/bootstrap.sh

dev:  ## run the whole platform locally (infra, services, simulators); Ctrl-C stops everything
	bash scripts/bootstrap.sh && .venv/bin/python scripts/dev.py

test:  ## run every test on real infrastructure that this target starts and stops
	bash scripts/test.sh

screenshots:  ## refresh docs/screenshots (shown in the README) from the console's browser tests
	ATENDE_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots bash scripts/test.sh tests/browser

lint:  ## ruff (lint + format check), security lint (ruff S rules, findings explained), mypy strict
	bash scripts/bootstrap.sh && bash scripts/lint.sh

fmt:  ## format the code
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

proto:  ## regenerate Python code from proto-events/
	bash scripts/gen_proto.sh

proto-check:  ## fail on stale generated code or a breaking schema change
	bash scripts/gen_proto.sh --check && bash scripts/proto_breaking.sh && .venv/bin/python scripts/asyncapi.py --check

api-examples:  ## rewrite docs/API_EXAMPLES.md (curl examples) from the gateway's OpenAPI document
	.venv/bin/python scripts/api_examples.py

constraints:  ## re-pin requirements/constraints.txt from every pyproject.toml
	bash scripts/constraints.sh

image-requirements:  ## re-pin requirements/images/<service>.txt, the packages of each service's image
	.venv/bin/python scripts/image_requirements.py

images:  ## build every service's container image (needs a Docker engine)
	.venv/bin/python scripts/images.py

bench:  ## run every benchmark; prints a summary and writes .bench/results.json
	bash scripts/bootstrap.sh && bash scripts/bench.sh

infra-up:  ## start Kafka, Redis and the MongoDB-wire server for development (.run/dev)
	python3 scripts/infra.py up --dir .run/dev

infra-down:  ## stop the development infrastructure
	python3 scripts/infra.py down --dir .run/dev

nlu-train:  ## build the local NLU model artifact
	bash scripts/bootstrap.sh && ENVIRONMENT=$${ENVIRONMENT:-development} .venv/bin/atende nlu train

nlu-eval:  ## evaluate the NLU on FILE=path.jsonl
	bash scripts/bootstrap.sh && ENVIRONMENT=$${ENVIRONMENT:-development} .venv/bin/atende nlu eval $(FILE)

backup:  ## one encrypted backup of MongoDB, Redis and Kafka's state into BACKUP_DIR (docs/deployment/DISASTER_RECOVERY.md)
	bash scripts/bootstrap.sh && ENVIRONMENT=$${ENVIRONMENT:-development} .venv/bin/python scripts/backup.py create

restore:  ## restore ARCHIVE=path into empty stores (services stopped), then re-publish later erasures
	bash scripts/bootstrap.sh && ENVIRONMENT=$${ENVIRONMENT:-development} .venv/bin/python scripts/backup.py restore $(ARCHIVE)

dr-drill:  ## disaster-recovery drill: traffic, the scheduled backup, every store destroyed, recovery; dr_rpo_s, dr_rto_s into .bench/results.json
	bash scripts/bootstrap.sh && .venv/bin/python scripts/dr_drill.py
