"""Run moto's server with two change-set gaps closed, so it behaves like CloudFormation:
1. moto 5.2.1 does not refresh a stack's Outputs after ExecuteChangeSet (CreateStack has them);
2. a CREATE change set for a stack in REVIEW_IN_PROGRESS makes a second stack of the same name
   instead of reusing it (CloudFormation reuses it).
Everything else is moto as released. Usage: python3 scripts/moto_server.py -H HOST -p PORT
"""
import moto.server
from moto.cloudformation.models import ChangeSet, CloudFormationBackend

_apply = ChangeSet.apply


def _apply_with_outputs(self):
    _apply(self)
    stack = self.stack
    stack.template = self.template
    stack._parse_template()
    stack.output_map = stack._create_output_map()


ChangeSet.apply = _apply_with_outputs

_create_change_set = CloudFormationBackend.create_change_set


def _create_change_set_reusing_review(self, stack_name, change_set_name, template, parameters,
                                      description, change_set_type, *args, **kwargs):
    if change_set_type == "CREATE":
        for stack_id, stack in list(self.stacks.items()):
            if stack.name == stack_name and stack.status == "REVIEW_IN_PROGRESS":
                del self.stacks[stack_id]
    return _create_change_set(self, stack_name, change_set_name, template, parameters,
                              description, change_set_type, *args, **kwargs)


CloudFormationBackend.create_change_set = _create_change_set_reusing_review

if __name__ == "__main__":
    moto.server.main()
