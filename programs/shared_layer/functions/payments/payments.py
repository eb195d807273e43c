from shop_common import respond


def handler(event, context):
    return respond(202, {"accepted": True, "version": context.function_version})
